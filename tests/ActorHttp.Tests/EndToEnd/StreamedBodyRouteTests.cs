using System.Net;
using ActorHttp.Handlers;
using ActorHttp.Protocol;
using ActorHttp.Tests.Support;
using Akka.Actor;

namespace ActorHttp.Tests.EndToEnd;

/// <summary>A user's handler mapped with a streamed-body limit, as README shows it, over real sockets.</summary>
public sealed class StreamedBodyRouteTests
{
    [Fact]
    public async Task A_mapped_streaming_handler_reads_a_body_larger_than_the_server_limit_piece_by_piece()
    {
        await using var server = await TestServer.StartAsync(
            "actorhttp.limits.max-body-bytes = 1000",
            routes => routes.Map(["POST"], "/count", Props.Create(() => new LineCounter()), streamedBodyLimit: 10_000_000));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Endpoint.Port}") };
        var body = string.Concat(Enumerable.Repeat("a line of text\n", 200_000));

        using var counted = await http.PostAsync("/count", new StringContent(body));
        using var tooLarge = await http.PostAsync("/count", new StringContent(new string('x', 10_000_001)));

        Assert.Equal(HttpStatusCode.OK, counted.StatusCode);
        Assert.Equal("200000 lines in 2 or more pieces", (await counted.Content.ReadAsStringAsync()).TrimEnd());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
    }

    private sealed class LineCounter : HttpHandlerActor
    {
        private readonly Dictionary<(IActorRef, long), (int Lines, int Pieces)> _counts = [];

        protected override void OnRequest(RequestContext context)
        {
            _counts[context.StreamKey] = (0, 0);
            context.ReadBody();
        }

        protected override void OnRequestBody(RequestContext context, ReadOnlyMemory<byte> data)
        {
            var (lines, pieces) = _counts[context.StreamKey];
            _counts[context.StreamKey] = (lines + data.Span.Count((byte)'\n'), pieces + 1);
            context.ReadBody();
        }

        protected override void OnRequestBodyEnd(RequestContext context, HttpHeaders trailers)
        {
            _counts.Remove(context.StreamKey, out var count);
            context.Respond(HttpResponse.Text(200, $"{count.Lines} lines in {(count.Pieces >= 2 ? "2 or more" : "fewer than 2")} pieces\n"));
        }

        protected override void OnRequestBodyAborted(RequestContext context, string reason) => _counts.Remove(context.StreamKey);
    }
}
