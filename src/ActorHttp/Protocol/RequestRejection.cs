namespace ActorHttp.Protocol;

/// <summary>Why a request was refused. Each reason maps to one status in <see cref="RequestRejection"/>.</summary>
public enum RejectionReason
{
    InvalidRequestLine,
    TooManyEmptyLines,
    InvalidMethod,
    InvalidRequestTarget,
    ConnectNotSupported,
    InvalidVersion,
    UnsupportedVersion,
    RequestLineTooLong,
    InvalidHeaderName,
    InvalidHeaderValue,
    WhitespaceBeforeColon,
    ObsoleteLineFolding,
    BareCarriageReturn,
    HeadersTooLarge,
    TooManyHeaders,
    MissingHost,
    MultipleHosts,
    InvalidHost,
    InvalidContentLength,
    MultipleContentLengths,
    ContentLengthWithTransferEncoding,
    TransferEncodingInHttp10,
    UnsupportedTransferCoding,
    ChunkedNotFinal,
    InvalidChunkSize,
    ChunkSizeTooLarge,
    InvalidChunkExtension,
    MissingChunkTerminator,
    InvalidTrailer,
    BodyTooLarge,
    InvalidPercentEncoding,
}

/// <summary>
/// A refused request: the status to answer with and a human message that cites the rule
/// (the way Cowboy's connection errors do). The connection answers it with <c>Connection: close</c>.
/// </summary>
public sealed record RequestRejection(RejectionReason Reason, int StatusCode, string Message)
{
    public static RequestRejection For(RejectionReason reason) => reason switch
    {
        RejectionReason.InvalidRequestLine => new(reason, 400, "The request line is malformed. (RFC 9112 §3)"),
        RejectionReason.InvalidMethod => new(reason, 400, "The method is not a valid token. (RFC 9110 §9.1)"),
        RejectionReason.TooManyEmptyLines => new(reason, 400, "More empty lines came before the request line than the server ignores. (RFC 9112 §2.2)"),
        RejectionReason.InvalidRequestTarget => new(reason, 400, "The request target is invalid: it must be /path?query, http://host/path?query, * (OPTIONS only) or host:port (CONNECT only), in visible ASCII. (RFC 9112 §3.2)"),
        RejectionReason.ConnectNotSupported => new(reason, 501, "This server is not a forward proxy: it opens no CONNECT tunnels. (RFC 9110 §9.3.6)"),
        RejectionReason.InvalidVersion => new(reason, 400, "The HTTP version after the request target is malformed; a target holds no space. (RFC 9112 §2.3, §3)"),
        RejectionReason.UnsupportedVersion => new(reason, 505, "Only HTTP/1.0 and HTTP/1.1 are supported on this connection. (RFC 9110 §15.6.6)"),
        RejectionReason.RequestLineTooLong => new(reason, 414, "The request line is longer than the server allows. (RFC 9112 §3)"),
        RejectionReason.InvalidHeaderName => new(reason, 400, "A header field name is not a valid token. (RFC 9110 §5.1)"),
        RejectionReason.InvalidHeaderValue => new(reason, 400, "A header field value holds a forbidden character. (RFC 9110 §5.5)"),
        RejectionReason.WhitespaceBeforeColon => new(reason, 400, "Whitespace between a header field name and its colon is not allowed. (RFC 9112 §5.1)"),
        RejectionReason.ObsoleteLineFolding => new(reason, 400, "Obsolete line folding is not accepted. (RFC 9112 §5.2)"),
        RejectionReason.BareCarriageReturn => new(reason, 400, "A bare CR or LF appeared outside a line ending. (RFC 9112 §2.2)"),
        RejectionReason.HeadersTooLarge => new(reason, 431, "The header fields are larger than the server allows. (RFC 6585 §5)"),
        RejectionReason.TooManyHeaders => new(reason, 431, "There are more header fields than the server allows. (RFC 6585 §5)"),
        RejectionReason.MissingHost => new(reason, 400, "An HTTP/1.1 request must carry a Host header field. (RFC 9112 §3.2)"),
        RejectionReason.MultipleHosts => new(reason, 400, "A request must carry exactly one Host header field. (RFC 9112 §3.2)"),
        RejectionReason.InvalidHost => new(reason, 400, "The Host header field is not a valid host[:port]: a name, an IPv4 address or a bracketed IPv6 address, then at most a port up to 65535. (RFC 9112 §3.2, RFC 3986 §3.2.2)"),
        RejectionReason.InvalidContentLength => new(reason, 400, "The Content-Length is not a valid non-negative number. (RFC 9112 §6.3)"),
        RejectionReason.MultipleContentLengths => new(reason, 400, "The request carries more than one Content-Length. (RFC 9112 §6.3)"),
        RejectionReason.ContentLengthWithTransferEncoding => new(reason, 400, "A request must not carry both Content-Length and Transfer-Encoding. (RFC 9112 §6.1)"),
        RejectionReason.TransferEncodingInHttp10 => new(reason, 400, "Transfer-Encoding is not allowed in an HTTP/1.0 request. (RFC 9112 §6.1)"),
        RejectionReason.UnsupportedTransferCoding => new(reason, 501, "Only the chunked transfer coding is implemented. (RFC 9112 §6.1)"),
        RejectionReason.ChunkedNotFinal => new(reason, 400, "The last transfer coding must be chunked, applied once; otherwise the body's length cannot be known. (RFC 9112 §6.3)"),
        RejectionReason.InvalidChunkSize => new(reason, 400, "A chunk size is not a valid hexadecimal number. (RFC 9112 §7.1)"),
        RejectionReason.ChunkSizeTooLarge => new(reason, 400, "A chunk size is too large to represent. (RFC 9112 §7.1)"),
        RejectionReason.InvalidChunkExtension => new(reason, 400, "A chunk extension is malformed or too long. (RFC 9112 §7.1.1)"),
        RejectionReason.MissingChunkTerminator => new(reason, 400, "Chunk data must be followed by CRLF. (RFC 9112 §7.1)"),
        RejectionReason.InvalidTrailer => new(reason, 400, "A trailer field is malformed. (RFC 9112 §7.1.2)"),
        RejectionReason.BodyTooLarge => new(reason, 413, "The request body is larger than the server allows. (RFC 9110 §15.5.14)"),
        RejectionReason.InvalidPercentEncoding => new(reason, 400, "The request path percent-decodes to bytes that are not UTF-8, or to NUL. (RFC 3986 §2.1, §2.5)"),
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}
