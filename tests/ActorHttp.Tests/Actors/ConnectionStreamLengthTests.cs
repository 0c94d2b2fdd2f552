using ActorHttp.Actors;
using ActorHttp.Protocol;
using ActorHttp.Tests.Support;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Xunit.Abstractions;

namespace ActorHttp.Tests.Actors;

/// <summary>A streamed answer with an announced length: the connection keeps the promise for the handler.</summary>
public sealed class ConnectionStreamLengthTests(ITestOutputHelper output) : TestKit(output: output)
{
    private static readonly TimeSpan ReadTimeout = ConnectionTestSettings.ReadTimeout;

    private static readonly ServerSettings Settings = ConnectionTestSettings.Default;

    [Fact]
    public async Task Bytes_past_the_announced_length_are_cut_off_the_streamer_is_stopped_and_the_connection_closes()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var router = CreateTestProbe();
        var connection = Sys.ActorOf(ConnectionActor.Props(pair.Server, 1, Settings, router.Ref));
        await pair.Client.SendAsync("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        var request = await router.ExpectMsgAsync<HandleRequest>();
        var streamer = CreateTestProbe();

        connection.Tell(new ResponseReady(request.Sequence, HttpResponse.Empty(200) with { Streamed = true, StreamLength = 5 }), streamer.Ref);
        connection.Tell(new ResponseBodyChunk(request.Sequence, "abc"u8.ToArray()), streamer.Ref);
        connection.Tell(new ResponseBodyChunk(request.Sequence, "defgh"u8.ToArray()), streamer.Ref);

        var response = await pair.Client.ReadResponseAsync(timeout: ReadTimeout);
        // The head went out before the overrun showed: the close comes without Connection: close.
        Assert.Equal(("5", "abcde"), (response.Header("Content-Length"), response.BodyText));
        await streamer.FishForMessageAsync(m => m is ResponseAborted, ReadTimeout);
        Assert.True(await pair.Client.IsClosedByServerAsync(ReadTimeout));
    }

    [Fact]
    public async Task A_body_that_ends_short_of_its_announced_length_closes_the_connection()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var router = CreateTestProbe();
        var connection = Sys.ActorOf(ConnectionActor.Props(pair.Server, 1, Settings, router.Ref));
        await pair.Client.SendAsync("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        var request = await router.ExpectMsgAsync<HandleRequest>();

        connection.Tell(new ResponseReady(request.Sequence, HttpResponse.Empty(200) with { Streamed = true, StreamLength = 10 }));
        connection.Tell(new ResponseBodyChunk(request.Sequence, "abc"u8.ToArray()));
        connection.Tell(new ResponseBodyEnd(request.Sequence));

        // The client gets the head and 3 of the 10 bytes, then the end of the connection: a truncated answer, not a hang.
        await Assert.ThrowsAsync<IOException>(() => pair.Client.ReadResponseAsync(timeout: ReadTimeout));
    }

    [Fact]
    public async Task A_body_of_exactly_the_announced_length_keeps_the_connection_open()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var router = CreateTestProbe();
        var connection = Sys.ActorOf(ConnectionActor.Props(pair.Server, 1, Settings, router.Ref));
        await pair.Client.SendAsync("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        var request = await router.ExpectMsgAsync<HandleRequest>();

        connection.Tell(new ResponseReady(request.Sequence, HttpResponse.Empty(200) with { Streamed = true, StreamLength = 6 }));
        connection.Tell(new ResponseBodyChunk(request.Sequence, "abc"u8.ToArray()));
        connection.Tell(new ResponseBodyChunk(request.Sequence, "def"u8.ToArray()));
        connection.Tell(new ResponseBodyEnd(request.Sequence));

        var response = await pair.Client.ReadResponseAsync(timeout: ReadTimeout);
        Assert.Equal("abcdef", response.BodyText);
        Assert.False(response.SaysClose);
        Assert.False(await pair.Client.IsClosedByServerAsync(TimeSpan.FromMilliseconds(300)));
    }
}
