using System.Text;
using ActorHttp.Protocol;

namespace ActorHttp.Tests.Protocol;

/// <summary>
/// Plays the connection's part: keeps the bytes the parser did not consume, appends each new read and
/// calls the parser again, collecting every completed request until one is refused.
/// </summary>
internal sealed class ParserDriver
{
    private readonly List<byte> _buffered = [];

    public ParserDriver(HttpLimits? limits = null) => Parser = new HttpRequestParser(limits ?? HttpLimits.Default);

    public HttpRequestParser Parser { get; }

    public List<HttpRequest> Requests { get; } = [];

    public RequestRejection? Rejection => Parser.Rejection;

    public int Buffered => _buffered.Count;

    public static byte[] Bytes(string latin1) => Encoding.Latin1.GetBytes(latin1);

    /// <summary>Everything in one read.</summary>
    public static ParserDriver ParseAll(string latin1, HttpLimits? limits = null) => ParseAll(Bytes(latin1), limits);

    public static ParserDriver ParseAll(byte[] input, HttpLimits? limits = null)
    {
        var driver = new ParserDriver(limits);
        driver.Receive(input);
        return driver;
    }

    public ParseOutcome Receive(ReadOnlySpan<byte> read)
    {
        _buffered.AddRange(read);
        while (true)
        {
            var outcome = Parser.Parse(_buffered.ToArray(), out var consumed);
            _buffered.RemoveRange(0, consumed);
            if (outcome == ParseOutcome.RequestComplete)
            {
                Requests.Add(Parser.Request!);
                if (_buffered.Count > 0)
                {
                    continue;
                }
            }

            return outcome;
        }
    }

    /// <summary>A request rendered field by field, so two parses can be compared as a whole.</summary>
    public static string Describe(HttpRequest request) => string.Join(
        "|",
        request.Method,
        request.Target,
        request.Path,
        request.Query,
        request.Version.ToText(),
        string.Join(";", request.Headers.Select(h => $"{h.Key}={h.Value}")),
        Convert.ToBase64String(request.Body.Span),
        string.Join(";", request.Trailers.Select(h => $"{h.Key}={h.Value}")),
        request.KeepAlive);
}
