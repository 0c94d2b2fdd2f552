using ActorHttp.Testing;
using Akka.Actor;
using Xunit;

namespace ActorHttpApp.Tests;

public sealed class HelloHandlerTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task The_handler_greets_by_name_and_counts_its_visitors()
    {
        var handler = Sys.ActorOf(Props.Create<HelloHandler>());
        var request = TestRequests.Get("/hello/Ada").WithRouteValues(("name", "Ada"));

        Assert.Equal("Hello, Ada! You are visitor 1.\n", (await this.SendToHandlerAsync(handler, request)).BodyText());
        Assert.Equal("Hello, Ada! You are visitor 2.\n", (await this.SendToHandlerAsync(handler, request)).BodyText());
    }

    [Fact]
    public async Task The_server_serves_the_route_over_http()
    {
        await using var server = await ActorHttpTestServer.StartAsync(routes => routes.MapGet<HelloHandler>("/hello/{name}"));

        Assert.Equal("Hello, Grace! You are visitor 1.\n", await server.Client.GetStringAsync("/hello/Grace"));
    }
}
