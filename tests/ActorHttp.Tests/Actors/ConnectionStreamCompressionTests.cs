using System.IO.Compression;
using System.Net.Sockets;
using System.Text;
using ActorHttp.Actors;
using ActorHttp.Protocol;
using ActorHttp.Tests.Support;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Xunit.Abstractions;

namespace ActorHttp.Tests.Actors;

/// <summary>
/// A streamed answer compressed by the connection as its chunks are written: the client gets a
/// chunked, decodable body, and the handler still gets one acknowledgement per chunk.
/// </summary>
public sealed class ConnectionStreamCompressionTests(ITestOutputHelper output) : TestKit(output: output)
{
    private static readonly TimeSpan ReadTimeout = ConnectionTestSettings.ReadTimeout;

    private static readonly ServerSettings Settings = ConnectionTestSettings.Default;

    private static byte[][] Chunks() =>
        Enumerable.Range(0, 4).Select(i => Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(i, 40_000).Select(n => (char)('a' + n * 7 % 26))))).ToArray();

    private static HttpResponse StreamedHead(long? length) => new()
    {
        StatusCode = 200,
        Headers = [new("Content-Type", "text/javascript; charset=utf-8"), new("ETag", "\"abc\"")],
        Streamed = true,
        StreamLength = length,
    };

    private static byte[] Decode(byte[] body, string coding)
    {
        using var input = new MemoryStream(body);
        using Stream decoder = coding == "br" ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var decoded = new MemoryStream();
        decoder.CopyTo(decoded);
        return decoded.ToArray();
    }

    private async Task<(IActorRef Connection, HandleRequest Request)> StartAsync(SocketPair pair, string request)
    {
        var router = CreateTestProbe();
        var connection = Sys.ActorOf(ConnectionActor.Props(pair.Server, 1, Settings, router.Ref));
        await pair.Client.SendAsync(request);
        return (connection, await router.ExpectMsgAsync<HandleRequest>());
    }

    /// <summary>Plays a streaming handler that sends the next chunk only once the previous one is acknowledged.</summary>
    private static async Task StreamAsync(IActorRef connection, TestProbe streamer, long sequence, byte[][] chunks, long? length)
    {
        connection.Tell(new ResponseReady(sequence, StreamedHead(length)), streamer.Ref);
        foreach (var chunk in chunks)
        {
            connection.Tell(new ResponseBodyChunk(sequence, chunk), streamer.Ref);
            Assert.Equal(sequence, (await streamer.ExpectMsgAsync<ResponseBodyChunkSent>(ReadTimeout)).Sequence);
        }

        connection.Tell(new ResponseBodyEnd(sequence), streamer.Ref);
    }

    [Theory]
    [InlineData("br", "br")]
    [InlineData("gzip", "gzip")]
    [InlineData("gzip, br", "br")]
    public async Task A_streamed_text_body_goes_out_compressed_and_chunked_with_one_ack_per_chunk(string acceptEncoding, string coding)
    {
        await using var pair = await SocketPair.ConnectAsync();
        var (connection, request) = await StartAsync(pair, $"GET /app.js HTTP/1.1\r\nHost: x\r\nAccept-Encoding: {acceptEncoding}\r\n\r\n");
        var streamer = CreateTestProbe();
        var chunks = Chunks();

        await StreamAsync(connection, streamer, request.Sequence, chunks, chunks.Sum(c => c.Length));

        var response = await pair.Client.ReadResponseAsync(timeout: ReadTimeout);
        Assert.Equal(coding, response.Header("Content-Encoding"));
        Assert.Equal("chunked", response.Header("Transfer-Encoding"));
        Assert.Null(response.Header("Content-Length"));
        Assert.Equal("Accept-Encoding", response.Header("Vary"));
        Assert.True(response.Body.Length < chunks.Sum(c => c.Length) / 4);
        Assert.Equal(chunks.SelectMany(c => c).ToArray(), Decode(response.Body, coding));
        Assert.False(response.SaysClose);
        await streamer.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Each_chunk_is_flushed_so_the_client_can_decode_it_before_the_next_is_sent()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var (connection, request) = await StartAsync(pair, "GET /app.js HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n");
        var streamer = CreateTestProbe();
        var first = Chunks()[0];

        connection.Tell(new ResponseReady(request.Sequence, StreamedHead(null)), streamer.Ref);
        connection.Tell(new ResponseBodyChunk(request.Sequence, first), streamer.Ref);
        await streamer.ExpectMsgAsync<ResponseBodyChunkSent>(ReadTimeout);

        // The body has not ended: the first HTTP chunk alone must hold all of the first piece.
        var received = await ReadHeadAndFirstChunkAsync(pair.Client.Socket);
        using var decoder = new GZipStream(new MemoryStream(received), CompressionMode.Decompress);
        var decoded = new byte[first.Length];
        decoder.ReadExactly(decoded);
        Assert.Equal(first, decoded);
    }

    [Fact]
    public async Task Head_gets_the_compressed_heads_fields_and_no_body()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var (connection, request) = await StartAsync(pair, "HEAD /app.js HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br\r\n\r\n");

        connection.Tell(new ResponseReady(request.Sequence, StreamedHead(160_000)));
        connection.Tell(new ResponseBodyEnd(request.Sequence));

        var response = await pair.Client.ReadResponseAsync(headRequest: true, timeout: ReadTimeout);
        Assert.Equal("br", response.Header("Content-Encoding"));
        Assert.Null(response.Header("Content-Length"));
        Assert.True(await pair.Client.StaysSilentAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Without_accept_encoding_the_announced_length_is_kept()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var (connection, request) = await StartAsync(pair, "GET /app.js HTTP/1.1\r\nHost: x\r\n\r\n");
        var chunks = Chunks();

        await StreamAsync(connection, CreateTestProbe(), request.Sequence, chunks, chunks.Sum(c => c.Length));

        var response = await pair.Client.ReadResponseAsync(timeout: ReadTimeout);
        Assert.Null(response.Header("Content-Encoding"));
        Assert.Equal(chunks.Sum(c => c.Length).ToString(), response.Header("Content-Length"));
        Assert.Equal(chunks.SelectMany(c => c).ToArray(), response.Body);
    }

    [Fact]
    public async Task A_compressed_body_that_ends_short_of_its_announced_length_is_not_completed()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var (connection, request) = await StartAsync(pair, "GET /app.js HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n");

        connection.Tell(new ResponseReady(request.Sequence, StreamedHead(100_000)));
        connection.Tell(new ResponseBodyChunk(request.Sequence, Chunks()[0]));
        connection.Tell(new ResponseBodyEnd(request.Sequence));

        // No last chunk: the client sees a truncated body, not a complete one.
        await Assert.ThrowsAsync<IOException>(() => pair.Client.ReadResponseAsync(timeout: ReadTimeout));
    }

    [Fact]
    public async Task An_answer_already_encoded_by_its_handler_is_not_compressed_again()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var (connection, request) = await StartAsync(pair, "GET /app.js HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n");
        var gzipped = ResponseCompression.Compress(Chunks()[0], ContentCoding.Gzip, CompressionLevel.Fastest);

        connection.Tell(new ResponseReady(request.Sequence, StreamedHead(null).WithHeader("Content-Encoding", "gzip")));
        connection.Tell(new ResponseBodyChunk(request.Sequence, gzipped));
        connection.Tell(new ResponseBodyEnd(request.Sequence));

        var response = await pair.Client.ReadResponseAsync(timeout: ReadTimeout);
        Assert.Equal(gzipped, response.Body);
        Assert.Equal(Chunks()[0], Decode(response.Body, "gzip"));
    }

    /// <summary>Reads the raw bytes up to the end of the first chunk and returns that chunk's data.</summary>
    private static async Task<byte[]> ReadHeadAndFirstChunkAsync(Socket socket)
    {
        using var cts = new CancellationTokenSource(ReadTimeout);
        var received = new List<byte>();
        var buffer = new byte[65536];
        while (true)
        {
            var bytes = received.ToArray();
            var headEnd = IndexOf(bytes, "\r\n\r\n"u8.ToArray(), 0);
            if (headEnd >= 0)
            {
                var sizeEnd = IndexOf(bytes, "\r\n"u8.ToArray(), headEnd + 4);
                if (sizeEnd >= 0)
                {
                    var size = Convert.ToInt32(Encoding.ASCII.GetString(bytes, headEnd + 4, sizeEnd - headEnd - 4), 16);
                    if (bytes.Length >= sizeEnd + 2 + size)
                    {
                        return bytes[(sizeEnd + 2)..(sizeEnd + 2 + size)];
                    }
                }
            }

            var count = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (count == 0)
            {
                throw new IOException("The connection closed before the first chunk was complete.");
            }

            received.AddRange(buffer.AsSpan(0, count));
        }
    }

    private static int IndexOf(byte[] haystack, byte[] needle, int from)
    {
        var found = haystack.AsSpan(from).IndexOf(needle);
        return found < 0 ? -1 : found + from;
    }
}
