using ActorHttp.Testing;
using Akka.Actor;
using Xunit;

public sealed class GreetingHandlerTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task The_handler_alone_answers_a_request()
    {
        var handler = Sys.ActorOf(Props.Create<GreetingHandler>());
        var request = TestRequests.Get("/greet/Ada").WithRouteValues(("name", "Ada"));

        var response = await this.SendToHandlerAsync(handler, request);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("Hello, Ada! You are visitor 1.", response.BodyText());
    }

    [Fact]
    public async Task A_server_serves_exactly_the_routes_it_is_given()
    {
        await using var server = await ActorHttpTestServer.StartAsync(routes => routes
            .MapGet<GreetingHandler>("/greet/{name}"));

        Assert.Equal("Hello, Grace! You are visitor 1.", await server.Client.GetStringAsync("/greet/Grace"));

        await using var raw = await server.ConnectRawAsync();
        await raw.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(404, (await raw.ReadResponseAsync()).Status);   // no demo route
    }
}
