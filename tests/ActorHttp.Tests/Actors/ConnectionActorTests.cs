using ActorHttp.Actors;
using ActorHttp.Protocol;
using ActorHttp.Tests.Support;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Xunit.Abstractions;

namespace ActorHttp.Tests.Actors;

/// <summary>
/// A connection over a real loopback socket with a TestProbe as the router: the test decides when
/// (and in which order) each request is answered, and reads what the actor wrote from the client side.
/// </summary>
public sealed class ConnectionActorTests(ITestOutputHelper output) : TestKit(output: output)
{
    private static readonly TimeSpan ReadTimeout = ConnectionTestSettings.ReadTimeout;

    private static readonly ServerSettings Settings = ConnectionTestSettings.Default;

    private static string Get(string path) => $"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n";

    [Fact]
    public async Task Pipelining_limit_holds_back_requests_until_an_answer_frees_a_slot()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var router = CreateTestProbe();
        Sys.ActorOf(ConnectionActor.Props(pair.Server, 1, Settings with { PipeliningLimit = 2 }, router.Ref));

        await pair.Client.SendAsync(Get("/0") + Get("/1") + Get("/2") + Get("/3"));

        var first = await router.ExpectMsgAsync<HandleRequest>();
        var second = await router.ExpectMsgAsync<HandleRequest>();
        Assert.Equal((0, "/0"), (first.Sequence, first.Request.Path));
        Assert.Equal((1, "/1"), (second.Sequence, second.Request.Path));
        await router.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));

        first.Connection.Tell(new ResponseReady(0, HttpResponse.Text(200, "r0")));
        var third = await router.ExpectMsgAsync<HandleRequest>();
        Assert.Equal((2, "/2"), (third.Sequence, third.Request.Path));
        await router.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        second.Connection.Tell(new ResponseReady(1, HttpResponse.Text(200, "r1")));
        var fourth = await router.ExpectMsgAsync<HandleRequest>();
        Assert.Equal((3, "/3"), (fourth.Sequence, fourth.Request.Path));
        third.Connection.Tell(new ResponseReady(2, HttpResponse.Text(200, "r2")));
        fourth.Connection.Tell(new ResponseReady(3, HttpResponse.Text(200, "r3")));

        for (var i = 0; i < 4; i++)
        {
            var response = await pair.Client.ReadResponseAsync(timeout: ReadTimeout);
            Assert.Equal((200, $"r{i}"), (response.Status, response.BodyText));
            Assert.False(response.SaysClose);
        }
    }

    [Fact]
    public async Task Answers_arriving_out_of_order_are_written_in_request_order()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var router = CreateTestProbe();
        var connection = Sys.ActorOf(ConnectionActor.Props(pair.Server, 1, Settings, router.Ref));

        await pair.Client.SendAsync(Get("/a") + Get("/b"));
        await router.ExpectMsgAsync<HandleRequest>(r => r.Sequence == 0);
        await router.ExpectMsgAsync<HandleRequest>(r => r.Sequence == 1);

        connection.Tell(new ResponseReady(1, HttpResponse.Text(200, "second")));
        // The answer to /b must wait for the one to /a.
        Assert.True(await pair.Client.StaysSilentAsync(TimeSpan.FromMilliseconds(200)));
        connection.Tell(new ResponseReady(0, HttpResponse.Text(200, "first")));

        Assert.Equal("first", (await pair.Client.ReadResponseAsync(timeout: ReadTimeout)).BodyText);
        Assert.Equal("second", (await pair.Client.ReadResponseAsync(timeout: ReadTimeout)).BodyText);
    }

    [Fact]
    public async Task Streamed_answer_is_written_chunked_and_the_next_answer_follows_it()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var router = CreateTestProbe();
        var connection = Sys.ActorOf(ConnectionActor.Props(pair.Server, 1, Settings, router.Ref));

        await pair.Client.SendAsync(Get("/stream") + Get("/after"));
        await router.ExpectMsgAsync<HandleRequest>(r => r.Sequence == 0);
        await router.ExpectMsgAsync<HandleRequest>(r => r.Sequence == 1);

        // The later answer is ready first; it must not slip in between the chunks.
        connection.Tell(new ResponseReady(1, HttpResponse.Text(200, "after")));
        connection.Tell(new ResponseReady(0, HttpResponse.Empty(200) with { Streamed = true }));
        connection.Tell(new ResponseBodyChunk(0, "one,"u8.ToArray()));
        connection.Tell(new ResponseBodyChunk(0, "two"u8.ToArray()));
        connection.Tell(new ResponseBodyEnd(0));

        var streamed = await pair.Client.ReadResponseAsync(timeout: ReadTimeout);
        Assert.Equal("chunked", streamed.Header("Transfer-Encoding"));
        Assert.Equal("one,two", streamed.BodyText);
        Assert.Equal("after", (await pair.Client.ReadResponseAsync(timeout: ReadTimeout)).BodyText);
    }

    [Fact]
    public async Task Handler_timeout_answers_503_drops_the_late_answer_and_the_connection_lives_on()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var router = CreateTestProbe();
        var connection = Sys.ActorOf(ConnectionActor.Props(pair.Server, 1, Settings with { HandlerTimeout = TimeSpan.FromMilliseconds(300) }, router.Ref));

        await pair.Client.SendAsync(Get("/slow"));
        await router.ExpectMsgAsync<HandleRequest>(r => r.Sequence == 0);

        var timedOut = await pair.Client.ReadResponseAsync(timeout: ReadTimeout);
        Assert.Equal(503, timedOut.Status);
        Assert.False(timedOut.SaysClose);

        connection.Tell(new ResponseReady(0, HttpResponse.Text(200, "late")));
        await pair.Client.SendAsync(Get("/next"));
        var next = await router.ExpectMsgAsync<HandleRequest>();
        Assert.Equal((1, "/next"), (next.Sequence, next.Request.Path));
        connection.Tell(new ResponseReady(1, HttpResponse.Text(200, "on time")));

        // Had the late answer been written, it would be read here instead.
        var response = await pair.Client.ReadResponseAsync(timeout: ReadTimeout);
        Assert.Equal((200, "on time"), (response.Status, response.BodyText));
    }

    [Fact]
    public async Task Idle_timeout_sends_408_then_closes()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var router = CreateTestProbe();
        var connection = Sys.ActorOf(ConnectionActor.Props(pair.Server, 1, Settings with { IdleTimeout = TimeSpan.FromMilliseconds(300) }, router.Ref));
        Watch(connection);

        var response = await pair.Client.ReadResponseAsync(timeout: ReadTimeout);

        Assert.Equal(408, response.Status);
        Assert.True(response.SaysClose);
        Assert.True(await pair.Client.IsClosedByServerAsync(ReadTimeout));
        // The client's close ends the lingering, so the actor stops well before linger-timeout would matter.
        await pair.Client.DisposeAsync();
        await ExpectTerminatedAsync(connection, ReadTimeout);
        await router.ExpectNoMsgAsync(TimeSpan.Zero);
    }

    [Fact]
    public async Task Idle_response_close_closes_without_a_response()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var router = CreateTestProbe();
        var settings = Settings with { IdleTimeout = TimeSpan.FromMilliseconds(300), IdleResponse = IdleResponse.Close };
        var connection = Sys.ActorOf(ConnectionActor.Props(pair.Server, 1, settings, router.Ref));
        Watch(connection);

        Assert.True(await pair.Client.IsClosedByServerAsync(ReadTimeout));
        await ExpectTerminatedAsync(connection, ReadTimeout);
    }

    [Fact]
    public async Task Actor_stops_when_the_client_disconnects()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var router = CreateTestProbe();
        var connection = Sys.ActorOf(ConnectionActor.Props(pair.Server, 1, Settings, router.Ref));
        Watch(connection);

        // One exchange first, so the actor is past start-up and in its keep-alive wait.
        await pair.Client.SendAsync(Get("/a"));
        await router.ExpectMsgAsync<HandleRequest>();
        connection.Tell(new ResponseReady(0, HttpResponse.Text(200, "a")));
        Assert.Equal(200, (await pair.Client.ReadResponseAsync(timeout: ReadTimeout)).Status);

        await pair.Client.DisposeAsync();

        await ExpectTerminatedAsync(connection, ReadTimeout);
    }

    [Fact]
    public async Task Request_in_flight_when_the_client_half_closes_is_still_answered()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var router = CreateTestProbe();
        var connection = Sys.ActorOf(ConnectionActor.Props(pair.Server, 1, Settings, router.Ref));
        Watch(connection);

        await pair.Client.SendAsync(Get("/a"));
        await router.ExpectMsgAsync<HandleRequest>();
        pair.Client.ShutdownSend();
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        connection.Tell(new ResponseReady(0, HttpResponse.Text(200, "still here")));

        Assert.Equal("still here", (await pair.Client.ReadResponseAsync(timeout: ReadTimeout)).BodyText);
        await ExpectTerminatedAsync(connection, ReadTimeout);
    }

    [Fact]
    public async Task Malformed_request_is_refused_by_the_connection_without_reaching_the_router()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var router = CreateTestProbe();
        Sys.ActorOf(ConnectionActor.Props(pair.Server, 1, Settings, router.Ref));

        await pair.Client.SendAsync("GET /a HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n");

        var response = await pair.Client.ReadResponseAsync(timeout: ReadTimeout);
        Assert.Equal(400, response.Status);
        Assert.True(response.SaysClose);
        await router.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Overloaded_connection_gets_503_with_retry_after_and_is_closed()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var router = CreateTestProbe();
        Sys.ActorOf(ConnectionActor.Props(pair.Server, 1, Settings, router.Ref, refusal: HttpResponse.Text(503, "The server is at its connection limit; try again shortly.\n").WithHeader("Retry-After", "1")));

        var response = await pair.Client.ReadResponseAsync(timeout: ReadTimeout);

        Assert.Equal(503, response.Status);
        Assert.Equal("1", response.Header("Retry-After"));
        Assert.True(await pair.Client.IsClosedByServerAsync(ReadTimeout));
    }

    [Fact]
    public async Task Drain_closes_after_the_request_in_flight_with_connection_close()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var router = CreateTestProbe();
        var connection = Sys.ActorOf(ConnectionActor.Props(pair.Server, 1, Settings, router.Ref));

        await pair.Client.SendAsync(Get("/a"));
        await router.ExpectMsgAsync<HandleRequest>();
        connection.Tell(Drain.Instance);
        connection.Tell(new ResponseReady(0, HttpResponse.Text(200, "last")));

        var response = await pair.Client.ReadResponseAsync(timeout: ReadTimeout);
        Assert.Equal("last", response.BodyText);
        Assert.True(response.SaysClose);
        Assert.True(await pair.Client.IsClosedByServerAsync(ReadTimeout));
    }
}
