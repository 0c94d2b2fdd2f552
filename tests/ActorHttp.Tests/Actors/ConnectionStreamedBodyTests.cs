using System.Net.Sockets;
using System.Security.Cryptography;
using ActorHttp.Actors;
using ActorHttp.Protocol;
using ActorHttp.Tests.Support;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Xunit.Abstractions;

namespace ActorHttp.Tests.Actors;

/// <summary>
/// A connection handing a request body over as it arrives, to a TestProbe playing the handler: the
/// connection must read from the socket only while the handler asks, so the client is held back.
/// </summary>
public sealed class ConnectionStreamedBodyTests(ITestOutputHelper output) : TestKit(output: output)
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    private static readonly ServerSettings Settings = ConnectionTestSettings.Default;

    private static StreamedBodyRoutes UploadRoute(long limit = 1L << 30) =>
        new([new RouteRegistration(["POST"], "/up", Props.Empty, StreamedBodyLimit: limit)]);

    [Fact]
    public async Task A_handler_that_does_not_ask_for_the_body_holds_the_client_back_and_gets_every_byte_once_it_asks()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var router = CreateTestProbe();
        var connection = Sys.ActorOf(ConnectionActor.Props(pair.Server, 1, Settings, router.Ref, streamedBodies: UploadRoute()));
        var body = RandomNumberGenerator.GetBytes(64 * 1024 * 1024);
        await pair.Client.SendAsync($"POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: {body.Length}\r\n\r\n");

        var request = await router.ExpectMsgAsync<HandleRequest>();
        Assert.True(request.Request.BodyStreamed);

        // Nobody reads: the client can hand the kernel only what the socket buffers and the connection's one read-ahead hold.
        var accepted = FillUntilBlocked(pair.Client, body);
        Assert.True(accepted < 24 * 1024 * 1024, $"the client got {accepted} bytes out while the handler asked for none");

        var sending = Task.Run(() => pair.Client.SendAsync(body[accepted..]));
        using var received = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long total = 0;
        var handler = CreateTestProbe();
        while (true)
        {
            connection.Tell(new ReadRequestBody(request.Sequence), handler.Ref);
            var piece = await handler.ExpectMsgAsync<object>(ReadTimeout);
            if (piece is RequestBodyEnd)
            {
                break;
            }

            var data = Assert.IsType<RequestBodyChunk>(piece).Data;
            received.AppendData(data.Span);
            total += data.Length;
        }

        await sending.WaitAsync(ReadTimeout);
        Assert.Equal(body.Length, total);
        Assert.Equal(SHA256.HashData(body), received.GetHashAndReset());

        connection.Tell(new ResponseReady(request.Sequence, HttpResponse.Text(201, "stored")));
        var response = await pair.Client.ReadResponseAsync(timeout: ReadTimeout);
        Assert.Equal(201, response.Status);
        Assert.False(response.SaysClose);
    }

    [Fact]
    public async Task An_answer_before_the_body_is_read_closes_the_connection_and_tells_the_reader()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var router = CreateTestProbe();
        var connection = Sys.ActorOf(ConnectionActor.Props(pair.Server, 1, Settings, router.Ref, streamedBodies: UploadRoute()));
        await pair.Client.SendAsync("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + new string('x', 1000));
        var request = await router.ExpectMsgAsync<HandleRequest>();
        var handler = CreateTestProbe();
        connection.Tell(new ReadRequestBody(request.Sequence), handler.Ref);
        await handler.ExpectMsgAsync<RequestBodyChunk>(ReadTimeout);

        connection.Tell(new ResponseReady(request.Sequence, HttpResponse.Text(403, "not you")), handler.Ref);

        var response = await pair.Client.ReadResponseAsync(timeout: ReadTimeout);
        Assert.Equal(403, response.Status);
        Assert.True(response.SaysClose);
        await handler.ExpectMsgAsync<RequestBodyAborted>(ReadTimeout);
    }

    [Fact]
    public async Task A_client_that_stalls_mid_body_gets_408_and_the_reader_is_told()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var router = CreateTestProbe();
        var connection = Sys.ActorOf(ConnectionActor.Props(pair.Server, 1, Settings with { IdleTimeout = TimeSpan.FromMilliseconds(500) }, router.Ref, streamedBodies: UploadRoute()));
        await pair.Client.SendAsync("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
        var request = await router.ExpectMsgAsync<HandleRequest>();
        var handler = CreateTestProbe();
        connection.Tell(new ReadRequestBody(request.Sequence), handler.Ref);
        Assert.Equal("abc", System.Text.Encoding.ASCII.GetString((await handler.ExpectMsgAsync<RequestBodyChunk>(ReadTimeout)).Data.Span));
        connection.Tell(new ReadRequestBody(request.Sequence), handler.Ref);

        await handler.ExpectMsgAsync<RequestBodyAborted>(ReadTimeout);
        var response = await pair.Client.ReadResponseAsync(timeout: ReadTimeout);
        Assert.Equal(408, response.Status);
        Assert.True(response.SaysClose);
    }

    [Fact]
    public async Task Expect_100_continue_is_answered_when_the_handler_first_asks_for_the_body()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var router = CreateTestProbe();
        var connection = Sys.ActorOf(ConnectionActor.Props(pair.Server, 1, Settings, router.Ref, streamedBodies: UploadRoute()));
        await pair.Client.SendAsync("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        var request = await router.ExpectMsgAsync<HandleRequest>();
        Assert.True(await pair.Client.StaysSilentAsync(TimeSpan.FromMilliseconds(200)));

        var handler = CreateTestProbe();
        connection.Tell(new ReadRequestBody(request.Sequence), handler.Ref);
        Assert.Equal(100, (await pair.Client.ReadResponseAsync(timeout: ReadTimeout)).Status);
        await pair.Client.SendAsync("hello");
        Assert.Equal("hello", System.Text.Encoding.ASCII.GetString((await handler.ExpectMsgAsync<RequestBodyChunk>(ReadTimeout)).Data.Span));
    }

    [Fact]
    public async Task A_drain_lets_a_body_being_streamed_finish_and_answers_what_arrived_after_it_then_closes()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var router = CreateTestProbe();
        var connection = Sys.ActorOf(ConnectionActor.Props(pair.Server, 1, Settings, router.Ref, streamedBodies: UploadRoute()));
        await pair.Client.SendAsync("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nabc");
        var request = await router.ExpectMsgAsync<HandleRequest>();
        var handler = CreateTestProbe();
        connection.Tell(new ReadRequestBody(request.Sequence), handler.Ref);
        await handler.ExpectMsgAsync<RequestBodyChunk>(ReadTimeout);

        connection.Tell(Drain.Instance);
        await pair.Client.SendAsync("def" + "GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
        connection.Tell(new ReadRequestBody(request.Sequence), handler.Ref);
        Assert.Equal("def", System.Text.Encoding.ASCII.GetString((await handler.ExpectMsgAsync<RequestBodyChunk>(ReadTimeout)).Data.Span));
        connection.Tell(new ReadRequestBody(request.Sequence), handler.Ref);
        await handler.ExpectMsgAsync<RequestBodyEnd>(ReadTimeout);
        connection.Tell(new ResponseReady(request.Sequence, HttpResponse.Text(201, "stored")));

        // The request that had already reached the server is answered too, and its answer closes.
        var after = await router.ExpectMsgAsync<HandleRequest>(ReadTimeout);
        Assert.Equal("/after", after.Request.Path);
        connection.Tell(new ResponseReady(after.Sequence, HttpResponse.Text(200, "after")));
        Assert.Equal(201, (await pair.Client.ReadResponseAsync(timeout: ReadTimeout)).Status);
        var last = await pair.Client.ReadResponseAsync(timeout: ReadTimeout);
        Assert.Equal(200, last.Status);
        Assert.True(last.SaysClose);
        await router.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        Assert.True(await pair.Client.IsClosedByServerAsync(ReadTimeout));
    }

    [Fact]
    public async Task Time_the_handler_is_not_asking_for_the_body_does_not_count_against_the_client()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var router = CreateTestProbe();
        var settings = Settings with { MinRequestBodyRate = new MinDataRate(1000, TimeSpan.FromMilliseconds(300)) };
        var connection = Sys.ActorOf(ConnectionActor.Props(pair.Server, 1, settings, router.Ref, streamedBodies: UploadRoute()));
        await pair.Client.SendAsync("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nabc");
        var request = await router.ExpectMsgAsync<HandleRequest>();
        var handler = CreateTestProbe();
        connection.Tell(new ReadRequestBody(request.Sequence), handler.Ref);
        await handler.ExpectMsgAsync<RequestBodyChunk>(ReadTimeout);
        await pair.Client.SendAsync("def");

        // The handler is busy (not asking) for five times the grace: the client, whose bytes are
        // waiting, is not to blame, and nothing is said to it.
        Assert.True(await pair.Client.StaysSilentAsync(TimeSpan.FromMilliseconds(1500)));
        connection.Tell(new ReadRequestBody(request.Sequence), handler.Ref);

        Assert.Equal("def", System.Text.Encoding.ASCII.GetString((await handler.ExpectMsgAsync<RequestBodyChunk>(ReadTimeout)).Data.Span));
        connection.Tell(new ReadRequestBody(request.Sequence), handler.Ref);
        await handler.ExpectMsgAsync<RequestBodyEnd>(ReadTimeout);
    }

    [Fact]
    public async Task A_client_that_sends_the_body_slower_than_the_minimum_rate_while_asked_gets_408()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var router = CreateTestProbe();
        var settings = Settings with { MinRequestBodyRate = new MinDataRate(1000, TimeSpan.FromMilliseconds(300)) };
        var connection = Sys.ActorOf(ConnectionActor.Props(pair.Server, 1, settings, router.Ref, streamedBodies: UploadRoute()));
        await pair.Client.SendAsync("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc");
        var request = await router.ExpectMsgAsync<HandleRequest>();
        var handler = CreateTestProbe();
        connection.Tell(new ReadRequestBody(request.Sequence), handler.Ref);
        await handler.ExpectMsgAsync<RequestBodyChunk>(ReadTimeout);
        connection.Tell(new ReadRequestBody(request.Sequence), handler.Ref);

        var response = await pair.Client.ReadResponseAsync(timeout: ReadTimeout);

        Assert.Equal(408, response.Status);
        Assert.True(response.SaysClose);
        await handler.ExpectMsgAsync<RequestBodyAborted>(ReadTimeout);
    }

    /// <summary>Sends without blocking until the kernel takes nothing more for a while; returns how much it took.</summary>
    private static int FillUntilBlocked(RawHttpClient client, byte[] body)
    {
        var socket = client.Socket;
        socket.Blocking = false;
        var sent = 0;
        var idleSince = Environment.TickCount64;
        while (sent < body.Length && Environment.TickCount64 - idleSince < 500)
        {
            try
            {
                var n = socket.Send(body, sent, Math.Min(64 * 1024, body.Length - sent), SocketFlags.None);
                sent += n;
                idleSince = Environment.TickCount64;
            }
            catch (SocketException error) when (error.SocketErrorCode == SocketError.WouldBlock)
            {
                Thread.Sleep(10);
            }
        }

        socket.Blocking = true;
        return sent;
    }
}
