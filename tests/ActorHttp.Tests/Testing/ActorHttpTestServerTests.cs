using ActorHttp.Handlers;
using ActorHttp.Protocol;
using ActorHttp.Tests.Support;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;

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
    public async Task Handlers_mapped_by_type_are_built_from_the_services_it_registers()
    {
        var motto = new Motto("Let it crash.");
        await using var server = await ActorHttpTestServer.StartAsync(
            routes => routes.MapGet<MottoHandler>("/motto"),
            new TestServerOptions { ConfigureServices = services => services.AddSingleton(motto) });

        Assert.Equal("Let it crash.", await server.Client.GetStringAsync("/motto"));
    }

    [Fact]
    public async Task Without_the_service_a_handler_mapped_by_type_cannot_start_and_its_route_answers_503()
    {
        await using var server = await ActorHttpTestServer.StartAsync(routes => routes.MapGet<MottoHandler>("/motto"));

        var response = await server.Client.GetAsync("/motto");

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Turning_the_demo_on_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => ActorHttpTestServer.StartAsync(
            _ => { },
            new TestServerOptions { ConfigureServer = options => options with { DemoRoutes = true } }));
    }
}

/// <summary>A service a handler is built from, registered by the test.</summary>
public sealed record Motto(string Text);

/// <summary>Answers with the <see cref="Motto"/> the container gave its constructor.</summary>
public sealed class MottoHandler(Motto motto) : HttpHandlerActor
{
    protected override void OnRequest(RequestContext context) => context.Respond(HttpResponse.Text(200, motto.Text));
}
