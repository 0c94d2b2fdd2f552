using System.Text;

namespace ActorHttp.Protocol;

/// <summary>
/// Reason phrases and pre-encoded status lines. The writer copies a ready <c>HTTP/1.1 200 OK\r\n</c>
/// instead of formatting one per response.
/// </summary>
public static class StatusCodes
{
    private const int Min = 100;
    private const int Max = 599;

    // Every three-digit code a response may carry (RFC 9110 §15: 100–599) gets its line up front,
    // the unregistered ones too, so the writer never formats a status line.
    private static readonly byte[][] _statusLines = BuildStatusLines();

    /// <summary>
    /// The registered reason phrase (RFC 9110 §15 plus the codes other RFCs register), or "" for a code
    /// without one: the reason phrase is optional and clients ignore it (RFC 9112 §4).
    /// </summary>
    public static string ReasonPhrase(int code) => code switch
    {
        100 => "Continue",
        101 => "Switching Protocols",
        102 => "Processing",
        103 => "Early Hints",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi-Status",
        208 => "Already Reported",
        226 => "IM Used",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        305 => "Use Proxy",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        _ => "",
    };

    /// <summary>
    /// <c>HTTP/1.1 {code} {reason}\r\n</c>. The space before CRLF stays when the reason is empty: the
    /// grammar requires it (RFC 9112 §4). Always HTTP/1.1, the server's own version (RFC 9110 §2.5).
    /// </summary>
    internal static byte[] StatusLine(int code)
    {
        if (code is < Min or > Max)
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "A status code is a three-digit integer from 100 to 599. (RFC 9110 §15)");
        }

        return _statusLines[code - Min];
    }

    private static byte[][] BuildStatusLines()
    {
        var lines = new byte[Max - Min + 1][];
        for (var code = Min; code <= Max; code++)
        {
            lines[code - Min] = Encoding.ASCII.GetBytes($"HTTP/1.1 {code} {ReasonPhrase(code)}\r\n");
        }

        return lines;
    }
}
