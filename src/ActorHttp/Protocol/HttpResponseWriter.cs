using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace ActorHttp.Protocol;

/// <summary>
/// Serialises a response head and body into an <see cref="IBufferWriter{T}"/>. The head is written in
/// one <c>GetSpan</c>/<c>Advance</c> from pre-encoded status and date lines; the only per-response
/// work is copying the handler's fields.
/// </summary>
public static class HttpResponseWriter
{
    private const int MaxContentLengthLine = 16 + 20 + 2;   // "Content-Length: " + long digits + CRLF
    private const int MaxConnectionLine = 24;                // "Connection: keep-alive\r\n"
    private const int MaxChunkSizeLine = 8 + 2;              // int as hex + CRLF

    // tchar (RFC 9110 §5.6.2).
    private static readonly SearchValues<char> _tokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    // field-vchar, SP and HTAB (RFC 9110 §5.5): everything but CTLs, plus obs-text up to 0xFF, which is
    // the most a Latin-1 octet can carry. CR, LF and NUL are here by omission: that is what makes
    // header injection impossible.
    private static readonly SearchValues<char> _fieldValueChars = SearchValues.Create(BuildFieldValueChars());

    private static readonly StandardFormat _hex = new('x');

    private static ReadOnlySpan<byte> ServerLine => "Server: ActorHttp\r\n"u8;

    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    /// <summary>
    /// Writes the status line, <c>Date</c>, <c>Server</c>, the handler's fields, framing and
    /// <c>Connection</c>, then the body (unless <see cref="HttpResponse.Streamed"/>: its chunks follow
    /// through <see cref="WriteChunk"/>). Writes nothing and returns <see cref="WriteOutcome.InvalidHeader"/>
    /// when a handler field is not safe to send.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The status code is not within 100–599.</exception>
    public static WriteOutcome Write(IBufferWriter<byte> output, HttpResponse response, ResponseTarget target) =>
        Write(output, response, target, DateHeader.Current);

    internal static WriteOutcome Write(IBufferWriter<byte> output, HttpResponse response, ResponseTarget target, ReadOnlySpan<byte> dateLine)
    {
        var statusLine = StatusCodes.StatusLine(response.StatusCode);
        var fields = response.Headers;

        // Validate every field before the first byte goes out, so a refused response leaves the
        // buffer untouched and the caller can write its 500 in its place.
        var hasDate = false;
        var hasServer = false;
        var size = statusLine.Length + dateLine.Length + ServerLine.Length + MaxContentLengthLine + MaxConnectionLine + Crlf.Length;
        for (var i = 0; i < fields.Count; i++)
        {
            var (name, value) = fields[i];
            if (!IsToken(name) || value is null || value.AsSpan().ContainsAnyExcept(_fieldValueChars))
            {
                return WriteOutcome.InvalidHeader;
            }

            hasDate |= string.Equals(name, "Date", StringComparison.OrdinalIgnoreCase);
            hasServer |= string.Equals(name, "Server", StringComparison.OrdinalIgnoreCase);
            size += name.Length + 2 + value.Length + Crlf.Length;
        }

        // 1xx, 204 and 304 never have content, so they carry no framing either (RFC 9110 §8.6, RFC 9112 §6.3).
        var statusAllowsBody = StatusAllowsBody(response.StatusCode);
        var sendsBody = statusAllowsBody && !target.IsHeadRequest;
        // An HTTP/1.0 client cannot read chunked framing, so a streamed body ends when the connection
        // does (RFC 9112 §6.3, rule 8).
        var knownLength = response.Streamed ? response.StreamLength : response.Body.Length;
        var closeDelimited = knownLength is null && sendsBody && target.Version == HttpVersion.Http10;
        var close = !target.KeepAlive || response.Close || closeDelimited;

        var span = output.GetSpan(size);
        var written = 0;
        Append(span, ref written, statusLine);
        if (!hasDate)
        {
            Append(span, ref written, dateLine);
        }

        if (!hasServer)
        {
            Append(span, ref written, ServerLine);
        }

        for (var i = 0; i < fields.Count; i++)
        {
            var (name, value) = fields[i];
            // Framing and connection management are the server's: a handler's own copy could contradict
            // what actually goes on the wire and open the door to response splitting (RFC 9112 §6.3).
            if (IsServerOwned(name))
            {
                continue;
            }

            written += Encoding.Latin1.GetBytes(name, span[written..]);
            Append(span, ref written, ": "u8);
            written += Encoding.Latin1.GetBytes(value, span[written..]);
            Append(span, ref written, Crlf);
        }

        if (statusAllowsBody)
        {
            if (knownLength is { } length)
            {
                // HEAD gets the length the GET body would have had (RFC 9110 §9.3.2, §8.6).
                Append(span, ref written, "Content-Length: "u8);
                Utf8Formatter.TryFormat(length, span[written..], out var digits);
                written += digits;
                Append(span, ref written, Crlf);
            }
            else if (sendsBody && target.Version == HttpVersion.Http11)
            {
                Append(span, ref written, "Transfer-Encoding: chunked\r\n"u8);
            }
        }

        if (close)
        {
            Append(span, ref written, "Connection: close\r\n"u8);
        }
        else if (target.Version == HttpVersion.Http10)
        {
            // HTTP/1.0 closes by default, so staying open must be said out loud (RFC 9112 §9.3).
            Append(span, ref written, "Connection: keep-alive\r\n"u8);
        }

        Append(span, ref written, Crlf);
        output.Advance(written);

        if (sendsBody && !response.Streamed)
        {
            output.Write(response.Body.Span);
        }

        return close ? WriteOutcome.Close : WriteOutcome.KeepOpen;
    }

    /// <summary>The interim response that tells a client waiting on <c>Expect: 100-continue</c> to send its body (RFC 9110 §10.1.1).</summary>
    public static void WriteContinue(IBufferWriter<byte> output) => output.Write("HTTP/1.1 100 Continue\r\n\r\n"u8);

    /// <summary>
    /// One piece of a streamed body: a chunk when <paramref name="chunked"/> (RFC 9112 §7.1), the raw
    /// bytes of a close-delimited HTTP/1.0 body otherwise.
    /// </summary>
    public static void WriteChunk(IBufferWriter<byte> output, ReadOnlySpan<byte> data, bool chunked)
    {
        if (!chunked)
        {
            output.Write(data);
            return;
        }

        // A zero-size chunk is the last-chunk: sending one for empty data would end the body early.
        if (data.IsEmpty)
        {
            return;
        }

        var head = output.GetSpan(MaxChunkSizeLine);
        Utf8Formatter.TryFormat(data.Length, head, out var digits, _hex);
        head[digits] = (byte)'\r';
        head[digits + 1] = (byte)'\n';
        output.Advance(digits + 2);
        output.Write(data);
        output.Write(Crlf);
    }

    /// <summary>Ends a chunked body with the last-chunk and an empty trailer section (RFC 9112 §7.1); a close-delimited body needs nothing.</summary>
    public static void WriteLastChunk(IBufferWriter<byte> output, bool chunked)
    {
        if (chunked)
        {
            output.Write("0\r\n\r\n"u8);
        }
    }

    /// <summary>True when a <see cref="HttpResponse.Streamed"/> response's chunks go out with chunked framing.</summary>
    public static bool UsesChunkedFraming(HttpResponse response, ResponseTarget target) =>
        response.Streamed && response.StreamLength is null && target.Version == HttpVersion.Http11 && SendsBody(response, target);

    /// <summary>
    /// True when body bytes follow the head. When false for a streamed response (HEAD, 1xx, 204, 304)
    /// the caller drops the handler's chunks instead of writing them.
    /// </summary>
    public static bool SendsBody(HttpResponse response, ResponseTarget target) =>
        !target.IsHeadRequest && StatusAllowsBody(response.StatusCode);

    private static bool StatusAllowsBody(int statusCode) => statusCode >= 200 && statusCode != 204 && statusCode != 304;

    private static bool IsToken(string name) => !string.IsNullOrEmpty(name) && !name.AsSpan().ContainsAnyExcept(_tokenChars);

    private static bool IsServerOwned(string name) =>
        string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, "Connection", StringComparison.OrdinalIgnoreCase);

    private static void Append(Span<byte> span, ref int written, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span[written..]);
        written += bytes.Length;
    }

    private static string BuildFieldValueChars()
    {
        var chars = new char[1 + (0x7E - 0x20 + 1) + (0xFF - 0x80 + 1)];
        var count = 0;
        chars[count++] = '\t';
        for (var c = 0x20; c <= 0x7E; c++)
        {
            chars[count++] = (char)c;
        }

        for (var c = 0x80; c <= 0xFF; c++)
        {
            chars[count++] = (char)c;
        }

        return new string(chars);
    }
}
