using System.Text;

namespace ActorHttp.Protocol;

/// <summary>
/// What a handler answers. The writer adds <c>Date</c>, <c>Server</c>, framing and <c>Connection</c>;
/// a handler sets only its own fields. <see cref="Streamed"/> responses send their body afterwards in
/// chunks (see the connection's streaming messages) and are written with chunked framing.
/// </summary>
public sealed record HttpResponse
{
    public required int StatusCode { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

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
    /// Where a <see cref="Streamed"/> body comes from, for hosts that call handlers directly (every
    /// model but actors, whose handlers send their chunks as messages): the host reads it a piece at
    /// a time, each only once the one before has been sent, so the client's pace sets the reading
    /// pace; it disposes the stream at the end, or when the answer is abandoned.
    /// </summary>
    public Stream? BodyStream { get; init; }

    /// <summary>Ask the connection to close after this response, whatever the request said.</summary>
    public bool Close { get; init; }

    public static HttpResponse Text(int statusCode, string text, string contentType = "text/plain; charset=utf-8") => new()
    {
        StatusCode = statusCode,
        Headers = [new("Content-Type", contentType)],
        Body = Encoding.UTF8.GetBytes(text),
    };

    public static HttpResponse Empty(int statusCode) => new() { StatusCode = statusCode };

    public HttpResponse WithHeader(string name, string value) => this with { Headers = [.. Headers, new(name, value)] };
}
