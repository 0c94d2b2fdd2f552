using System.IO.Pipelines;
using System.Text;

namespace ActorHttp.Protocol;

/// <summary>
/// What a handler answers. The writer adds <c>Date</c>, <c>Server</c>, framing and <c>Connection</c>;
/// a handler sets only its own fields. <see cref="Streamed"/> responses send their body afterwards in
/// chunks (see the connection's streaming messages) and are written with chunked framing.
/// </summary>
public sealed record HttpResponse
{
    /// <summary>The status code; the writer adds its standard reason phrase.</summary>
    public required int StatusCode { get; init; }

    /// <summary>The handler's own fields; values with CR or LF are refused when written (answered 500 instead).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The whole body of a response that is not <see cref="Streamed"/>.</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>True when the body follows in chunks instead of in <see cref="Body"/>.</summary>
    public bool Streamed { get; init; }

    /// <summary>
    /// The total size of a streamed body when known in advance (a file): it is then sent with
    /// <c>Content-Length</c> instead of chunked framing, so clients see the size, unless the connection
    /// compresses the body (its compressed size is known only at its end).
    /// </summary>
    public long? StreamLength { get; init; }

    /// <summary>
    /// For a <see cref="Streamed"/> response: the connection reads the body from this stream a piece at
    /// a time, the next only once the last has been sent (the client's pace), and disposes it at the
    /// end or when the client goes away. Every model honours it; an actor handler may instead leave it
    /// null and send the pieces itself (<c>RequestContext.SendChunk</c>). See <see cref="StreamBody(int, Stream, string, long?)"/>.
    /// </summary>
    public Stream? BodyStream { get; init; }

    /// <summary>Ask the connection to close after this response, whatever the request said.</summary>
    public bool Close { get; init; }

    /// <summary>A response with a text body (UTF-8) and its <c>Content-Type</c>.</summary>
    public static HttpResponse Text(int statusCode, string text, string contentType = "text/plain; charset=utf-8") => new()
    {
        StatusCode = statusCode,
        Headers = [new("Content-Type", contentType)],
        Body = Encoding.UTF8.GetBytes(text),
    };

    /// <summary>A response with no body (for 204, 304, or a bare status).</summary>
    public static HttpResponse Empty(int statusCode) => new() { StatusCode = statusCode };

    /// <summary>
    /// An answer whose body is read from <paramref name="body"/> as the client takes it, and disposed
    /// after. With <paramref name="length"/> it is sent with that <c>Content-Length</c> (and cut off
    /// there); without, chunked.
    /// </summary>
    public static HttpResponse StreamBody(int statusCode, Stream body, string contentType = "application/octet-stream", long? length = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new HttpResponse
        {
            StatusCode = statusCode,
            Headers = [new("Content-Type", contentType)],
            Streamed = true,
            StreamLength = length,
            BodyStream = body,
        };
    }

    /// <summary>An answer whose body is what <paramref name="body"/> yields, read as the client takes it; the reader is completed after.</summary>
    public static HttpResponse StreamBody(int statusCode, PipeReader body, string contentType = "application/octet-stream")
    {
        ArgumentNullException.ThrowIfNull(body);
        return StreamBody(statusCode, body.AsStream(), contentType);
    }

    /// <summary>
    /// An answer whose body is the pieces <paramref name="pieces"/> yields (an <c>async</c> iterator),
    /// each asked for only once the last was sent. If the client goes away, the iterator's
    /// cancellation token (<c>[EnumeratorCancellation]</c>) fires and it is disposed.
    /// </summary>
    public static HttpResponse StreamBody(int statusCode, IAsyncEnumerable<ReadOnlyMemory<byte>> pieces, string contentType = "application/octet-stream")
    {
        ArgumentNullException.ThrowIfNull(pieces);
        return StreamBody(statusCode, new AsyncPiecesStream(pieces), contentType);
    }

    /// <summary>This response with one more field.</summary>
    public HttpResponse WithHeader(string name, string value) => this with { Headers = [.. Headers, new(name, value)] };
}
