namespace ActorHttp.Protocol;

/// <summary>
/// Every size limit the parser enforces, in one place. The defaults follow Kestrel's
/// (<c>KestrelServerLimits</c>) so that a request Kestrel accepts we accept too.
/// </summary>
public sealed record HttpLimits
{
    /// <summary>Longest request line, CRLF excluded; longer → 414 (RFC 9112 §3).</summary>
    public int MaxRequestLineBytes { get; init; } = 8 * 1024;

    /// <summary>Most bytes of header fields (and of chunked trailers) after the request line; more → 431 (RFC 6585 §5).</summary>
    public int MaxHeaderBytes { get; init; } = 32 * 1024;

    /// <summary>Most header fields; more → 431.</summary>
    public int MaxHeaderCount { get; init; } = 100;

    /// <summary>Largest body, declared or de-chunked; larger → 413, refused before the body is read.</summary>
    public long MaxBodyBytes { get; init; } = 30_000_000;

    /// <summary>Longest chunk extension we skip over (Akka HTTP's <c>max-chunk-ext-length</c>); longer → 400.</summary>
    public int MaxChunkExtensionBytes { get; init; } = 256;

    public static readonly HttpLimits Default = new();
}
