using ActorHttp.Actors;
using ActorHttp.Handlers.StaticFiles;
using ActorHttp.Tests.Support;
using Akka.Actor;
using Akka.TestKit.Xunit2;

namespace ActorHttp.Tests.StaticFiles;

/// <summary>
/// A large file streamed to a TestProbe playing the connection: what the handler holds before the
/// connection takes its answer is what a pipelined request waiting its turn, or a client that never
/// reads, costs the server.
/// </summary>
public sealed class StaticFileStreamingTests : TestKit, IDisposable
{
    private const int ChunkBytes = 64 * 1024;
    private readonly string _root = Directory.CreateTempSubdirectory("actorhttp-stream-").FullName;
    private readonly byte[] _content = new byte[300 * 1024];

    public StaticFileStreamingTests()
    {
        new Random(3).NextBytes(_content);
        File.WriteAllBytes(Path.Combine(_root, "big.bin"), _content);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Before_the_connection_takes_the_first_chunk_the_handler_holds_one_small_chunk_and_reads_nothing_ahead()
    {
        var connection = CreateTestProbe();
        var handler = Sys.ActorOf(Props.Create(() => new StaticFileHandler(new StaticFileSettings(_root, "index.html", false, ChunkBytes, TimeSpan.Zero, 0))));
        var request = TestRequests.Get("/big.bin") with { RouteValues = new Dictionary<string, string> { ["path"] = "big.bin" } };
        handler.Tell(new HandleRequest(request, 0, connection.Ref), connection.Ref);

        Assert.True((await connection.ExpectMsgAsync<ResponseReady>()).Response.Streamed);
        var first = await connection.ExpectMsgAsync<ResponseBodyChunk>();
        Assert.True(first.Data.Length <= 4096, $"the first chunk is {first.Data.Length} bytes");
        await connection.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));

        // Once the connection takes chunks, they come at full size, and every byte arrives in order.
        var received = new List<byte>(first.Data.ToArray());
        handler.Tell(new ResponseBodyChunkSent(0), connection.Ref);
        while (true)
        {
            var message = await connection.ExpectMsgAsync<object>();
            if (message is ResponseBodyEnd)
            {
                break;
            }

            var chunk = Assert.IsType<ResponseBodyChunk>(message);
            Assert.True(chunk.Data.Length == ChunkBytes || received.Count + chunk.Data.Length == _content.Length);
            received.AddRange(chunk.Data.ToArray());
            handler.Tell(new ResponseBodyChunkSent(0), connection.Ref);
        }

        Assert.Equal(_content, received.ToArray());
    }
}
