using ActorHttp.Tests.Support;
using Akka.Actor;

namespace ActorHttp.Tests.Testing;

/// <summary>ActorHttp.Testing's in-process server: exactly the routes given, an HttpClient and a raw client.</summary>
public sealed class ActorHttpTestServerTests
{
    [Fact]
    public async Task It_serves_the_given_routes_and_nothing_of_the_demo()
    {
        await using var server = await ActorHttpTestServer.StartAsync(routes => routes.MapGet("/users/{id}", Props.Create<RouteValuesHandler>()));

        Assert.Equal("id=42", await server.Client.GetStringAsync("/users/42"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await server.Client.GetAsync("/hello")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await server.Client.GetAsync("/")).StatusCode);
        Assert.Equal("127.0.0.1", server.BaseAddress.Host);
        Assert.NotEqual(0, server.Endpoint.Port);
    }

    [Fact]
    public async Task The_raw_client_sends_exact_bytes_and_reads_the_answer()
    {
        await using var server = await ActorHttpTestServer.StartAsync(routes => routes.MapGet("/users/{id}", Props.Create<RouteValuesHandler>()));
        await using var raw = await server.ConnectRawAsync();

        await raw.SendAsync("GET /users/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /users/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        var first = await raw.ReadResponseAsync();
        var second = await raw.ReadResponseAsync();

        Assert.Equal((200, "id=1"), (first.Status, first.BodyText));
        Assert.Equal((200, "id=2", true), (second.Status, second.BodyText, second.SaysClose));
        Assert.True(await raw.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Its_config_applies_and_nothing_else_is_read()
    {
        await using var server = await ActorHttpTestServer.StartAsync(
            routes => routes.MapGet("/never", Props.Create<NeverAnswersHandler>()),
            new TestServerOptions { Config = "actorhttp.server.handler-timeout = 300ms" });

        Assert.Equal(TimeSpan.FromMilliseconds(300), server.Server.Settings.HandlerTimeout);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await server.Client.GetAsync("/never")).StatusCode);
    }

    [Fact]
    public async Task Turning_the_demo_on_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => ActorHttpTestServer.StartAsync(
            _ => { },
            new TestServerOptions { ConfigureServer = options => options with { DemoRoutes = true } }));
    }
}
