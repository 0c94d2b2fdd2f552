using System.Text;
using ActorHttp.Protocol;

namespace ActorHttp.Tests.Protocol;

/// <summary>
/// The parser's streamed-body mode: the head comes out first, the body in pieces that point into the
/// caller's bytes, then the end; limits are the route's, and what follows parses as usual.
/// </summary>
public sealed class StreamedBodyParserTests
{
    private const string Next = "GET /next HTTP/1.1\r\nHost: x\r\n\r\n";

    [Fact]
    public void A_content_length_body_comes_out_in_pieces_after_its_head_and_the_next_request_follows()
    {
        var body = string.Concat(Enumerable.Range(0, 500).Select(i => (char)('a' + (i % 26))));
        var run = StreamedRun.Feed($"POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: {body.Length}\r\n\r\n{body}{Next}", splitEvery: 7);

        Assert.Equal("/up", run.Head!.Path);
        Assert.True(run.Head.BodyStreamed);
        Assert.True(run.Head.Body.IsEmpty);
        Assert.Equal(body, run.BodyText);
        Assert.True(run.Pieces > 1);
        Assert.True(run.BodyEnded);
        Assert.Equal("/next", Assert.Single(run.Requests).Path);
    }

    [Fact]
    public void A_chunked_body_is_de_chunked_piece_by_piece_and_its_trailers_come_with_the_end()
    {
        const string wire = "POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;ext=1\r\nhello\r\n1\r\n \r\n6\r\nworld!\r\n0\r\nChecksum: abc\r\n\r\n" + Next;
        for (var split = 1; split <= wire.Length; split++)
        {
            var run = StreamedRun.Feed(wire, split);

            Assert.Equal("hello world!", run.BodyText);
            Assert.True(run.BodyEnded);
            Assert.Equal("abc", run.Trailers!["Checksum"]);
            Assert.Equal("/next", Assert.Single(run.Requests).Path);
        }
    }

    [Fact]
    public void The_route_limit_replaces_the_server_body_limit_for_a_streamed_body()
    {
        var limits = new HttpLimits { MaxBodyBytes = 10 };
        var run = StreamedRun.Feed("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n" + new string('x', 20), 64, limits, routeLimit: 20);

        Assert.Null(run.Rejection);
        Assert.Equal(20, run.BodyText.Length);
    }

    [Fact]
    public void A_content_length_over_the_route_limit_is_refused_with_413_before_any_body_byte()
    {
        var run = StreamedRun.Feed("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 21\r\n\r\n", 64, routeLimit: 20);

        Assert.Null(run.Head);
        Assert.Equal(413, run.Rejection!.StatusCode);
    }

    [Fact]
    public void A_chunked_body_is_refused_with_413_as_soon_as_it_passes_the_route_limit()
    {
        var run = StreamedRun.Feed("POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\nb\r\n", 64, routeLimit: 20);

        Assert.NotNull(run.Head);
        Assert.Equal("0123456789", run.BodyText);
        Assert.False(run.BodyEnded);
        Assert.Equal(413, run.Rejection!.StatusCode);
    }

    [Fact]
    public void Requests_without_a_body_and_routes_that_say_null_are_not_streamed()
    {
        var asked = new List<string>();
        var parser = new HttpRequestParser(HttpLimits.Default, head =>
        {
            asked.Add(head.Path);
            return head.Path == "/up" ? 100 : null;
        });
        var wire = Encoding.Latin1.GetBytes("GET /up HTTP/1.1\r\nHost: x\r\n\r\nPOST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");

        Assert.Equal(ParseOutcome.RequestComplete, parser.Parse(wire, out var consumed));
        Assert.False(parser.Request!.BodyStreamed);
        Assert.Equal(ParseOutcome.RequestComplete, parser.Parse(wire.AsSpan(consumed), out _));
        Assert.Equal("abc", Encoding.Latin1.GetString(parser.Request!.Body.Span));
        Assert.False(parser.Request.BodyStreamed);
        Assert.Equal(["/form"], asked);
    }

    /// <summary>Plays the connection: feeds the wire in slices, keeping unconsumed bytes, and collects what comes out.</summary>
    private sealed class StreamedRun
    {
        private readonly StringBuilder _body = new();

        public HttpRequest? Head { get; private set; }

        public string BodyText => _body.ToString();

        public int Pieces { get; private set; }

        public bool BodyEnded { get; private set; }

        public HttpHeaders? Trailers { get; private set; }

        public List<HttpRequest> Requests { get; } = [];

        public RequestRejection? Rejection { get; private set; }

        public static StreamedRun Feed(string wire, int splitEvery, HttpLimits? limits = null, long routeLimit = 1_000_000)
        {
            var run = new StreamedRun();
            var parser = new HttpRequestParser(limits ?? HttpLimits.Default, head => head.Path == "/up" ? routeLimit : null);
            var bytes = Encoding.Latin1.GetBytes(wire);
            var pending = new List<byte>();
            for (var offset = 0; offset < bytes.Length && run.Rejection is null; offset += splitEvery)
            {
                pending.AddRange(bytes.AsSpan(offset, Math.Min(splitEvery, bytes.Length - offset)));
                run.Drain(parser, pending);
            }

            return run;
        }

        private void Drain(HttpRequestParser parser, List<byte> pending)
        {
            while (true)
            {
                var data = pending.ToArray();
                var outcome = parser.Parse(data, out var consumed);
                switch (outcome)
                {
                    case ParseOutcome.HeadComplete:
                        Head = parser.Request;
                        break;
                    case ParseOutcome.BodyData:
                        var (start, length) = parser.BodyData;
                        Assert.True(start + length <= consumed);
                        _body.Append(Encoding.Latin1.GetString(data, start, length));
                        Pieces++;
                        break;
                    case ParseOutcome.BodyComplete:
                        BodyEnded = true;
                        Trailers = parser.Request!.Trailers;
                        break;
                    case ParseOutcome.RequestComplete:
                        Requests.Add(parser.Request!);
                        break;
                    case ParseOutcome.Rejected:
                        Rejection = parser.Rejection;
                        return;
                }

                pending.RemoveRange(0, consumed);
                if (outcome == ParseOutcome.NeedMoreData)
                {
                    return;
                }
            }
        }
    }
}
