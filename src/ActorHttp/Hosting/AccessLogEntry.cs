using ActorHttp.Protocol;
using IPAddress = System.Net.IPAddress;

namespace ActorHttp.Hosting;

/// <summary>
/// One answered request as the connection hands it to the <see cref="AccessLogWriter"/>: only
/// values the connection already holds (every string is the parser's own), so making one costs a
/// few field reads and no allocation. The writer turns it into a log event on its own thread.
/// </summary>
/// <param name="Client">The client's address; null when the socket had none (tests).</param>
/// <param name="Method">The request method, or "-" for an answer the server gave on its own (a refusal before any request).</param>
/// <param name="Target">The request target as sent, or "-".</param>
/// <param name="Bytes">Body bytes sent (nginx's <c>$body_bytes_sent</c>): the head is not counted.</param>
/// <param name="Referer">The <c>Referer</c> field, or null.</param>
/// <param name="UserAgent">The <c>User-Agent</c> field, or null.</param>
/// <param name="StartTimestamp">When the request was parsed, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</param>
/// <param name="EndTimestamp">When the whole answer was written to the connection's output, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</param>
public readonly record struct AccessLogEntry(
    long ConnectionId,
    IPAddress? Client,
    string Method,
    string Target,
    HttpVersion Version,
    int Status,
    long Bytes,
    string? Referer,
    string? UserAgent,
    long StartTimestamp,
    long EndTimestamp)
{
    /// <summary>The request's <c>X-Request-Id</c>; null when request ids are off (the line then ends without it).</summary>
    public string? RequestId { get; init; }

    /// <summary>The W3C trace id of the request's activity; null when nothing traced it.</summary>
    public string? TraceId { get; init; }

    /// <summary>Whether the line carries the request id and trace id fields.</summary>
    public bool HasIds => RequestId is not null || TraceId is not null;

    /// <summary>The line of an answer the connection core reports, on connection <paramref name="connectionId"/> from <paramref name="client"/>; the core's timestamps are the host's Stopwatch ticks.</summary>
    public static AccessLogEntry Of(long connectionId, IPAddress? client, in ActorHttp.Protocol.Connection.AnsweredRequest answered) => new(
        connectionId,
        client,
        answered.Method,
        answered.Target,
        answered.Version,
        answered.StatusCode,
        answered.BodyBytes,
        answered.Referer,
        answered.UserAgent,
        answered.StartTimestamp,
        answered.EndTimestamp);
}
