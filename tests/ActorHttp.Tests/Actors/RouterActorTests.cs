using ActorHttp.Actors;
using ActorHttp.Handlers;
using ActorHttp.Protocol;
using ActorHttp.Tests.Support;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Xunit.Abstractions;

namespace ActorHttp.Tests.Actors;

/// <summary>The router on its own: a TestProbe plays the connection, so every answer is a message we can inspect.</summary>
public sealed class RouterActorTests(ITestOutputHelper output) : TestKit(output: output)
{
    private static readonly IReadOnlyList<RouteRegistration> Routes =
    [
        new(["GET"], "/users/{id}", Props.Create<UserHandler>(), Instances: 1),
        new(["POST"], "/orders", Props.Create<UserHandler>(), Instances: 1),
    ];

    [Fact]
    public async Task Unknown_path_is_answered_404_by_the_router()
    {
        var connection = CreateTestProbe();
        var router = Sys.ActorOf(RouterActor.Props(Routes, new SupervisionSettings()));

        router.Tell(new HandleRequest(TestRequests.Get("/nothing/here"), 7, connection.Ref));

        var ready = await connection.ExpectMsgAsync<ResponseReady>();
        Assert.Equal(7, ready.Sequence);
        Assert.Equal(404, ready.Response.StatusCode);
    }

    [Fact]
    public async Task Wrong_method_is_405_with_the_allow_list_of_the_path()
    {
        var connection = CreateTestProbe();
        var router = Sys.ActorOf(RouterActor.Props(Routes, new SupervisionSettings()));

        router.Tell(new HandleRequest(TestRequests.Make("DELETE", "/users/42"), 3, connection.Ref));

        var ready = await connection.ExpectMsgAsync<ResponseReady>();
        Assert.Equal(3, ready.Sequence);
        Assert.Equal(405, ready.Response.StatusCode);
        // A GET route answers HEAD, and the server answers OPTIONS for every resource.
        Assert.Equal("GET, HEAD, OPTIONS", ready.Response.Header("Allow"));
    }

    [Fact]
    public async Task Options_is_204_with_allow_and_never_reaches_a_handler()
    {
        var connection = CreateTestProbe();
        var router = Sys.ActorOf(RouterActor.Props(Routes, new SupervisionSettings()));

        router.Tell(new HandleRequest(TestRequests.Make("OPTIONS", "/orders"), 0, connection.Ref));

        var ready = await connection.ExpectMsgAsync<ResponseReady>();
        Assert.Equal(0, ready.Sequence);
        Assert.Equal(204, ready.Response.StatusCode);
        Assert.True(ready.Response.Body.IsEmpty);
        Assert.Equal("OPTIONS, POST", ready.Response.Header("Allow"));
        // The handler would have answered 200: nothing more may arrive.
        await connection.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Unknown_method_is_501_even_on_a_known_path()
    {
        var connection = CreateTestProbe();
        var router = Sys.ActorOf(RouterActor.Props(Routes, new SupervisionSettings()));

        router.Tell(new HandleRequest(TestRequests.Make("BREW", "/users/42"), 11, connection.Ref));

        var ready = await connection.ExpectMsgAsync<ResponseReady>();
        Assert.Equal(11, ready.Sequence);
        Assert.Equal(501, ready.Response.StatusCode);
    }

    [Fact]
    public async Task Matched_request_reaches_the_handler_with_route_values_and_the_answer_goes_straight_to_the_connection()
    {
        var connection = CreateTestProbe();
        var router = Sys.ActorOf(RouterActor.Props(Routes, new SupervisionSettings()), "router");

        router.Tell(new HandleRequest(TestRequests.Get("/users/42"), 5, connection.Ref));

        var ready = await connection.ExpectMsgAsync<ResponseReady>();
        Assert.Equal(5, ready.Sequence);
        Assert.Equal(200, ready.Response.StatusCode);
        Assert.Equal("id=42", ready.BodyText());
        // The handler itself told the connection: neither the router nor the supervisor is a hop on the way back.
        var handlerPath = connection.LastSender.Path.ToStringWithoutAddress();
        Assert.StartsWith("/user/router/route-0/handler-", handlerPath);
    }

    [Fact]
    public async Task Head_on_a_get_route_reaches_the_get_handler()
    {
        var connection = CreateTestProbe();
        var router = Sys.ActorOf(RouterActor.Props(Routes, new SupervisionSettings()));

        router.Tell(new HandleRequest(TestRequests.Make("HEAD", "/users/9"), 1, connection.Ref));

        var ready = await connection.ExpectMsgAsync<ResponseReady>();
        Assert.Equal(1, ready.Sequence);
        Assert.Equal(200, ready.Response.StatusCode);
        Assert.Equal("id=9", ready.BodyText());
    }

    [Fact]
    public async Task Answers_for_two_connections_go_to_their_own_connection()
    {
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        var router = Sys.ActorOf(RouterActor.Props(Routes, new SupervisionSettings()));

        router.Tell(new HandleRequest(TestRequests.Get("/users/1"), 0, first.Ref));
        router.Tell(new HandleRequest(TestRequests.Get("/users/2"), 0, second.Ref));

        Assert.Equal("id=1", (await first.ExpectMsgAsync<ResponseReady>()).BodyText());
        Assert.Equal("id=2", (await second.ExpectMsgAsync<ResponseReady>()).BodyText());
        await first.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    private sealed class UserHandler : HttpHandlerActor
    {
        protected override void OnRequest(RequestContext context) =>
            context.Respond(HttpResponse.Text(200, string.Join(";", context.Request.RouteValues.OrderBy(v => v.Key).Select(v => $"{v.Key}={v.Value}"))));
    }
}
