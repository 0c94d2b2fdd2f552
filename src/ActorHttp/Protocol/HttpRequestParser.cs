using System.Buffers;
using System.Text;

namespace ActorHttp.Protocol;

/// <summary>
/// Incremental HTTP/1.1 request parser (RFC 9112), one per connection, reused for every request on it.
/// It does no I/O: the caller hands it the bytes it has buffered, drops what the parser consumed and
/// hands the rest back with more appended. The head is consumed only once it is whole (it is parsed in
/// one pass); body bytes are consumed as they come, so the caller never buffers more than one head
/// plus one read.
/// </summary>
public sealed class HttpRequestParser
{
    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';
    private const byte Sp = (byte)' ';
    private const byte Htab = (byte)'\t';

    // Leading zeros are allowed in a chunk size, but not so many that a peer can stream one size line forever.
    private const int MaxChunkSizeDigits = 64;
    private const int InitialChunkBufferBytes = 4096;

    // A Content-Length body grows as its bytes arrive, from what the first read brought (at least
    // this): a client that declares 30 MB and trickles it must cost what it has sent, not 30 MB, nor
    // a fixed 64 KiB that ten thousand trickling connections multiply into most of a gigabyte.
    private const int InitialContentLengthBufferBytes = 4096;

    private static readonly SearchValues<byte> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    // RFC 3986 unreserved, sub-delims, ":", "@", "/", "?" and "%" (pct-encoded is checked separately).
    private static readonly SearchValues<byte> TargetChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?%"u8);

    // RFC 3986 §3.2.2 reg-name / IP-literal plus ":" port; anything else cannot be a host.
    private static readonly SearchValues<byte> HostChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:%[]"u8);

    private static readonly SearchValues<byte> HexDigits = SearchValues.Create("0123456789abcdefABCDEF"u8);

    private static readonly SearchValues<byte> FieldValueChars = SearchValues.Create(FieldValueBytes());

    private static readonly string[] KnownMethods = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"];

    private static readonly string[] KnownHeaderNames =
    [
        "Host", "Content-Length", "Content-Type", "Transfer-Encoding", "Connection", "Expect", "Accept",
        "Accept-Encoding", "Accept-Language", "User-Agent", "Cookie", "Authorization", "Cache-Control",
        "Origin", "Referer", "If-None-Match", "If-Modified-Since", "Range", "Upgrade", "Keep-Alive",
        "host", "content-length", "content-type", "transfer-encoding", "connection", "expect", "accept",
        "accept-encoding", "accept-language", "user-agent", "cookie", "authorization", "cache-control",
    ];

    private readonly HttpLimits _limits;
    private readonly List<KeyValuePair<string, string>> _fields = [];

    // A client repeats most of a request from one request to the next (the target, and its fields in
    // the same order): the last request's strings are reused where the bytes are the same, as Kestrel
    // does, so a keep-alive request allocates none for them.
    private HttpHeaders? _lastHeaders;
    private string? _lastTarget;
    private string _lastPath = "";
    private string _lastQuery = "";

    private State _state = State.Head;

    // Head and trailer scanning resume where the previous call stopped; the caller passes the same
    // unconsumed prefix again, so these offsets stay valid until the section is consumed.
    private int _requestLineEnd = -1;
    private int _scanOffset;
    private int _lineCount;

    private HttpRequest? _pending;
    private bool _expectContinue;
    private readonly Func<HttpRequest, long?>? _streamedBodyLimit;
    private byte[]? _body;
    private long _bodyFilled;
    private long _declaredBodyLength;
    private long _bodyLimit;
    private bool _streaming;

    private long _chunkSize;
    private int _chunkSizeDigits;
    private int _chunkExtensionBytes;

    /// <param name="streamedBodyLimit">
    /// Asked once per request that has a body, when its head is complete: null buffers the body (up to
    /// <see cref="HttpLimits.MaxBodyBytes"/>) and completes the request with it; a number streams the
    /// body instead (<see cref="ParseOutcome.HeadComplete"/>, then <see cref="ParseOutcome.BodyData"/>
    /// pieces) and refuses it with 413 past that many bytes.
    /// </param>
    public HttpRequestParser(HttpLimits limits, Func<HttpRequest, long?>? streamedBodyLimit = null)
    {
        _limits = limits;
        _streamedBodyLimit = streamedBodyLimit;
    }

    private enum State
    {
        Head,
        ContentLengthBody,
        ChunkSize,
        ChunkSizeWhitespace,
        ChunkExtension,
        ChunkSizeLf,
        ChunkData,
        ChunkDataCr,
        ChunkDataLf,
        Trailers,
        Dead,
    }

    /// <summary>The last request completed on this connection.</summary>
    public HttpRequest? Request { get; private set; }

    /// <summary>
    /// Hands over <see cref="Request"/> and forgets it, so a parser waiting between requests holds
    /// none (a connection idles far longer than it parses).
    /// </summary>
    public HttpRequest TakeRequest()
    {
        var request = Request ?? throw new InvalidOperationException("No request is complete.");
        Request = null;
        return request;
    }

    /// <summary>Why the connection's current request was refused; the parser is dead afterwards.</summary>
    public RequestRejection? Rejection { get; private set; }

    public bool HasPartialRequest { get; private set; }

    public bool HeadComplete => _state is not (State.Head or State.Dead);

    /// <summary>
    /// True while the client waits for "100 Continue" before sending a body it announced
    /// (RFC 9110 §10.1.1); an HTTP/1.0 expectation is ignored, as that section requires.
    /// </summary>
    public bool ExpectsContinue => HeadComplete && _expectContinue;

    /// <summary>After <see cref="ParseOutcome.BodyData"/>: where that piece of the body lies in the bytes just parsed.</summary>
    public (int Start, int Length) BodyData { get; private set; }

    public ParseOutcome Parse(ReadOnlySpan<byte> data, out int consumed)
    {
        consumed = 0;
        if (_state == State.Dead)
        {
            return ParseOutcome.Rejected;
        }

        if (_state == State.Head)
        {
            HasPartialRequest = data.Length > 0;
            var headOutcome = ParseHead(data, ref consumed);
            if (headOutcome != ParseOutcome.RequestComplete)
            {
                return headOutcome;
            }

            if (_state == State.Head)
            {
                return Complete(ReadOnlyMemory<byte>.Empty, HttpHeaders.Empty);
            }

            if (_streaming)
            {
                Request = _pending! with { BodyStreamed = true };
                return ParseOutcome.HeadComplete;
            }
        }

        if (_state == State.ContentLengthBody)
        {
            return _streaming ? StreamContentLengthBody(data, ref consumed) : ParseContentLengthBody(data, ref consumed);
        }

        return ParseChunkedBody(data, ref consumed);
    }

    private ParseOutcome ParseHead(ReadOnlySpan<byte> data, ref int consumed)
    {
        if (_requestLineEnd < 0)
        {
            var lineOutcome = FindRequestLine(data);
            if (lineOutcome != ParseOutcome.RequestComplete)
            {
                return lineOutcome;
            }
        }

        var scan = ScanFieldSection(data, _requestLineEnd, out var headEnd);
        if (scan != ParseOutcome.RequestComplete)
        {
            return scan;
        }

        var lineStart = data[0] == Cr ? 2 : 0;
        var rejection = ParseHeadSection(
            data[lineStart..(_requestLineEnd - 2)],
            data[_requestLineEnd..(headEnd - 2)]);
        if (rejection is not null)
        {
            return Reject(rejection.Value);
        }

        consumed = headEnd;
        return ParseOutcome.RequestComplete;
    }

    /// <summary>
    /// Finds the end of the request line, refusing as early as the bytes allow: a byte that cannot be
    /// part of a method fails at once (a TLS ClientHello never sends a LF), and a line that cannot fit
    /// fails before its end arrives.
    /// </summary>
    private ParseOutcome FindRequestLine(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return ParseOutcome.NeedMoreData;
        }

        // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request line; we ignore one.
        var start = 0;
        if (data[0] == Cr)
        {
            if (data.Length < 2)
            {
                return ParseOutcome.NeedMoreData;
            }

            if (data[1] != Lf)
            {
                return Reject(RejectionReason.BareCarriageReturn);
            }

            start = 2;
        }
        else if (data[0] == Lf)
        {
            return Reject(RejectionReason.BareCarriageReturn);
        }

        var line = data[start..];
        var methodEnd = line.IndexOfAnyExcept(TokenChars);
        if (methodEnd < 0)
        {
            return line.Length > _limits.MaxRequestLineBytes
                ? Reject(RejectionReason.RequestLineTooLong)
                : ParseOutcome.NeedMoreData;
        }

        if (methodEnd == 0 || line[methodEnd] != Sp)
        {
            return Reject(RejectionReason.InvalidMethod);
        }

        var window = _limits.MaxRequestLineBytes + 2;
        var lf = line.IndexOf(Lf);
        if (lf < 0)
        {
            return line.Length >= window ? Reject(RejectionReason.RequestLineTooLong) : ParseOutcome.NeedMoreData;
        }

        if (lf >= window)
        {
            return Reject(RejectionReason.RequestLineTooLong);
        }

        if (line[lf - 1] != Cr)
        {
            return Reject(RejectionReason.BareCarriageReturn);
        }

        _requestLineEnd = start + lf + 1;
        _scanOffset = _requestLineEnd;
        _lineCount = 0;
        return ParseOutcome.RequestComplete;
    }

    /// <summary>
    /// Looks for the empty line that ends a field section (headers or trailers) starting at
    /// <paramref name="sectionStart"/>, enforcing the size and count limits line by line so a peer
    /// cannot make us wait for, or hold, more than the limits allow.
    /// </summary>
    private ParseOutcome ScanFieldSection(ReadOnlySpan<byte> data, int sectionStart, out int sectionEnd)
    {
        sectionEnd = -1;
        while (true)
        {
            var rest = data[_scanOffset..];
            var lf = rest.IndexOf(Lf);
            if (lf < 0)
            {
                return data.Length - sectionStart > _limits.MaxHeaderBytes
                    ? Reject(RejectionReason.HeadersTooLarge)
                    : ParseOutcome.NeedMoreData;
            }

            var lineEnd = _scanOffset + lf + 1;
            if (lineEnd - sectionStart > _limits.MaxHeaderBytes)
            {
                return Reject(RejectionReason.HeadersTooLarge);
            }

            if (lf == 0 || rest[lf - 1] != Cr)
            {
                return Reject(RejectionReason.BareCarriageReturn);
            }

            if (lf == 1)
            {
                sectionEnd = lineEnd;
                return ParseOutcome.RequestComplete;
            }

            if (++_lineCount > _limits.MaxHeaderCount)
            {
                return Reject(RejectionReason.TooManyHeaders);
            }

            _scanOffset = lineEnd;
        }
    }

    private RejectionReason? ParseHeadSection(ReadOnlySpan<byte> requestLine, ReadOnlySpan<byte> fieldLines)
    {
        if (requestLine.Contains(Cr))
        {
            return RejectionReason.BareCarriageReturn;
        }

        // The method was validated while the line arrived; exactly one SP separates the three parts (RFC 9112 §3).
        var firstSp = requestLine.IndexOf(Sp);
        var lastSp = requestLine.LastIndexOf(Sp);
        if (lastSp == firstSp)
        {
            return RejectionReason.InvalidRequestLine;
        }

        var target = requestLine[(firstSp + 1)..lastSp];
        if (target.IsEmpty || target[0] == Sp || target[^1] == Sp)
        {
            return RejectionReason.InvalidRequestLine;
        }

        var versionReason = ParseVersion(requestLine[(lastSp + 1)..], out var version);
        if (versionReason is not null)
        {
            return versionReason;
        }

        var method = Intern(requestLine[..firstSp], KnownMethods);
        string targetText, path, query;
        if (_lastTarget is not null && Ascii.Equals(target, _lastTarget))
        {
            // The same origin-form target as the last request: it parses to the same path and query.
            (targetText, path, query) = (_lastTarget, _lastPath, _lastQuery);
        }
        else
        {
            var targetReason = ParseTarget(method, target, out path, out query);
            if (targetReason is not null)
            {
                return targetReason;
            }

            // Most targets are a plain path: the decoded path is then the same text, and one string serves both.
            targetText = target.Length == path.Length && Ascii.Equals(target, path) ? path : Encoding.ASCII.GetString(target);
            if (target[0] == '/')
            {
                (_lastTarget, _lastPath, _lastQuery) = (targetText, path, query);
            }
        }

        var fieldReason = ParseFields(fieldLines);
        if (fieldReason is not null)
        {
            return fieldReason;
        }

        var headers = ReuseHeaders();
        _fields.Clear();
        return ApplyHeaderSemantics(method, targetText, path, query, version, headers);
    }

    private static RejectionReason? ParseVersion(ReadOnlySpan<byte> text, out HttpVersion version)
    {
        version = HttpVersion.Http11;
        if (text.SequenceEqual("HTTP/1.1"u8))
        {
            return null;
        }

        if (text.SequenceEqual("HTTP/1.0"u8))
        {
            version = HttpVersion.Http10;
            return null;
        }

        // Well-formed but another version (RFC 9112 §2.3): 505, not 400.
        return text.Length == 8 && text.StartsWith("HTTP/"u8) && char.IsAsciiDigit((char)text[5])
            && text[6] == '.' && char.IsAsciiDigit((char)text[7])
            ? RejectionReason.UnsupportedVersion
            : RejectionReason.InvalidVersion;
    }

    private static RejectionReason? ParseTarget(string method, ReadOnlySpan<byte> target, out string path, out string query)
    {
        path = "";
        query = "";
        if (target.SequenceEqual("*"u8))
        {
            // asterisk-form exists only for a server-wide OPTIONS (RFC 9112 §3.2.4).
            if (method != "OPTIONS")
            {
                return RejectionReason.InvalidRequestTarget;
            }

            path = "*";
            return null;
        }

        if (target.IndexOfAnyExcept(TargetChars) >= 0)
        {
            return RejectionReason.InvalidRequestTarget;
        }

        ReadOnlySpan<byte> pathAndQuery;
        if (target[0] == '/')
        {
            pathAndQuery = target;
        }
        else if (!TryStripAbsoluteForm(target, out pathAndQuery))
        {
            return RejectionReason.InvalidRequestTarget;
        }

        var questionMark = pathAndQuery.IndexOf((byte)'?');
        var rawPath = questionMark < 0 ? pathAndQuery : pathAndQuery[..questionMark];
        ReadOnlySpan<byte> rawQuery = questionMark < 0 ? [] : pathAndQuery[(questionMark + 1)..];
        if (!IsValidPercentEncoding(rawQuery))
        {
            return RejectionReason.InvalidPercentEncoding;
        }

        if (!PathNormalizer.TryNormalize(rawPath.IsEmpty ? "/"u8 : rawPath, out path))
        {
            return RejectionReason.InvalidPercentEncoding;
        }

        query = rawQuery.IsEmpty ? "" : Encoding.ASCII.GetString(rawQuery);
        return null;
    }

    /// <summary>absolute-form (RFC 9112 §3.2.2): <c>http[s]://authority[/path][?query]</c>; the path and query are what route.</summary>
    private static bool TryStripAbsoluteForm(ReadOnlySpan<byte> target, out ReadOnlySpan<byte> pathAndQuery)
    {
        pathAndQuery = [];
        var schemeEnd = target.IndexOf("://"u8);
        if (schemeEnd < 0)
        {
            return false;
        }

        var scheme = target[..schemeEnd];
        if (!Ascii.EqualsIgnoreCase(scheme, "http"u8) && !Ascii.EqualsIgnoreCase(scheme, "https"u8))
        {
            return false;
        }

        var rest = target[(schemeEnd + 3)..];
        var authorityEnd = rest.IndexOfAny((byte)'/', (byte)'?');
        var authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        if (authority.IsEmpty || authority.Contains((byte)'@'))
        {
            // userinfo is deprecated in http URIs (RFC 9110 §4.2.4) and only ever hides the real host.
            return false;
        }

        pathAndQuery = authorityEnd < 0 ? [] : rest[authorityEnd..];
        return true;
    }

    private static bool IsValidPercentEncoding(ReadOnlySpan<byte> text)
    {
        for (var i = text.IndexOf((byte)'%'); i >= 0; i = NextPercent(text, i + 3))
        {
            if (i + 2 >= text.Length || !HexDigits.Contains(text[i + 1]) || !HexDigits.Contains(text[i + 2]))
            {
                return false;
            }
        }

        return true;

        static int NextPercent(ReadOnlySpan<byte> text, int from)
        {
            var next = text[from..].IndexOf((byte)'%');
            return next < 0 ? -1 : from + next;
        }
    }

    /// <summary>Parses field lines (each ending CRLF, already checked) into <see cref="_fields"/> with the rules of RFC 9112 §5.</summary>
    private RejectionReason? ParseFields(ReadOnlySpan<byte> lines)
    {
        _fields.Clear();
        while (!lines.IsEmpty)
        {
            var lf = lines.IndexOf(Lf);
            var line = lines[..(lf - 1)];
            lines = lines[(lf + 1)..];

            if (line.Contains(Cr))
            {
                return RejectionReason.BareCarriageReturn;
            }

            if (line[0] is Sp or Htab)
            {
                return RejectionReason.ObsoleteLineFolding;
            }

            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                return RejectionReason.InvalidHeaderName;
            }

            var name = line[..colon];
            if (name[^1] is Sp or Htab)
            {
                return RejectionReason.WhitespaceBeforeColon;
            }

            if (name.IndexOfAnyExcept(TokenChars) >= 0)
            {
                return RejectionReason.InvalidHeaderName;
            }

            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (value.IndexOfAnyExcept(FieldValueChars) >= 0)
            {
                return RejectionReason.InvalidHeaderValue;
            }

            // Ascii.Equals is false for obs-text bytes: such a value is simply decoded anew.
            var position = _fields.Count;
            if (_lastHeaders is { } last && position < last.Count && last[position] is var previous
                && previous.Key.Length == name.Length && Ascii.Equals(name, previous.Key)
                && previous.Value.Length == value.Length && Ascii.Equals(value, previous.Value))
            {
                _fields.Add(previous);
            }
            else
            {
                _fields.Add(new(Intern(name, KnownHeaderNames), Encoding.Latin1.GetString(value)));
            }
        }

        return null;
    }

    private RejectionReason? ApplyHeaderSemantics(
        string method, string target, string path, string query, HttpVersion version, HttpHeaders headers)
    {
        var hostCount = 0;
        string? host = null;
        string? contentLength = null;
        var contentLengthCount = 0;
        var hasTransferEncoding = false;
        foreach (var (name, value) in headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                hostCount++;
                host = value;
            }
            else if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                contentLengthCount++;
                contentLength = value;
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                hasTransferEncoding = true;
            }
        }

        // RFC 9112 §3.2: exactly one Host in HTTP/1.1; HTTP/1.0 may omit it, never repeat it.
        if (hostCount > 1)
        {
            return RejectionReason.MultipleHosts;
        }

        if (hostCount == 0 && version == HttpVersion.Http11)
        {
            return RejectionReason.MissingHost;
        }

        if (host is not null && !IsValidHost(host))
        {
            return RejectionReason.InvalidHost;
        }

        long bodyLength = 0;
        var chunked = false;
        if (hasTransferEncoding)
        {
            // RFC 9112 §6.1: both framings at once is the classic smuggling vector, and an HTTP/1.0
            // peer cannot have meant chunked; refusing beats guessing which one the sender meant.
            if (version == HttpVersion.Http10)
            {
                return RejectionReason.TransferEncodingInHttp10;
            }

            if (contentLengthCount > 0)
            {
                return RejectionReason.ContentLengthWithTransferEncoding;
            }

            var codingReason = CheckTransferCodings(headers);
            if (codingReason is not null)
            {
                return codingReason;
            }

            chunked = true;
        }
        else if (contentLengthCount > 0)
        {
            // RFC 9112 §6.3 lets a server fold identical repeats; we refuse every repeat (as Kestrel does for differing ones).
            if (contentLengthCount > 1 || contentLength!.Contains(','))
            {
                return RejectionReason.MultipleContentLengths;
            }

            if (!TryParseContentLength(contentLength, out bodyLength))
            {
                return RejectionReason.InvalidContentLength;
            }
        }

        var keepAlive = version == HttpVersion.Http11
            ? !headers.HasToken("Connection", "close")
            : headers.HasToken("Connection", "keep-alive");

        _pending = new HttpRequest
        {
            Method = method,
            Target = target,
            Path = path,
            Query = query,
            Version = version,
            Headers = headers,
            KeepAlive = keepAlive,
        };

        var streamedLimit = chunked || bodyLength > 0 ? _streamedBodyLimit?.Invoke(_pending) : null;
        _streaming = streamedLimit is not null;
        _bodyLimit = streamedLimit ?? _limits.MaxBodyBytes;
        if (bodyLength > _bodyLimit)
        {
            return RejectionReason.BodyTooLarge;
        }

        _expectContinue = version == HttpVersion.Http11 && (chunked || bodyLength > 0)
            && headers.HasToken("Expect", "100-continue");
        _bodyFilled = 0;
        if (chunked)
        {
            StartChunk();
        }
        else if (bodyLength > 0)
        {
            _declaredBodyLength = bodyLength;
            _body = null;
            _state = State.ContentLengthBody;
        }

        return null;
    }

    /// <summary>
    /// RFC 9112 §6.1, §6.3: only chunked is implemented (anything else is 501, checked first), and it must
    /// be applied exactly once, last. The field may be split over several lines.
    /// </summary>
    private static RejectionReason? CheckTransferCodings(HttpHeaders headers)
    {
        var chunkedCount = 0;
        var lastIsChunked = false;
        foreach (var value in headers.GetValues("Transfer-Encoding"))
        {
            foreach (var range in value.AsSpan().Split(','))
            {
                var coding = value.AsSpan(range).Trim(" \t");
                if (coding.IsEmpty)
                {
                    continue;
                }

                lastIsChunked = coding.Equals("chunked", StringComparison.OrdinalIgnoreCase);
                if (!lastIsChunked)
                {
                    return RejectionReason.UnsupportedTransferCoding;
                }

                chunkedCount++;
            }
        }

        return chunkedCount == 1 && lastIsChunked ? null : RejectionReason.ChunkedNotFinal;
    }

    private static bool TryParseContentLength(string text, out long length)
    {
        length = 0;
        if (text.Length == 0)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) || length > (long.MaxValue - (c - '0')) / 10)
            {
                return false;
            }

            length = (length * 10) + (c - '0');
        }

        return true;
    }

    private static bool IsValidHost(string host)
    {
        foreach (var c in host)
        {
            if (c > 0x7F || !HostChars.Contains((byte)c))
            {
                return false;
            }
        }

        return true;
    }

    private ParseOutcome ParseContentLengthBody(ReadOnlySpan<byte> data, ref int consumed)
    {
        var take = (int)Math.Min(_declaredBodyLength - _bodyFilled, data.Length - consumed);
        if (take == 0)
        {
            return ParseOutcome.NeedMoreData;
        }

        var needed = _bodyFilled + take;
        if (_body is null || needed > _body.Length)
        {
            // Doubling keeps the copies linear in the body size; the cap keeps the final array exact.
            var grown = new byte[Math.Min(_declaredBodyLength, Math.Max(needed, Math.Max(InitialContentLengthBufferBytes, (_body?.Length ?? 0) * 2L)))];
            _body?.AsSpan(0, (int)_bodyFilled).CopyTo(grown);
            _body = grown;
        }

        data.Slice(consumed, take).CopyTo(_body.AsSpan((int)_bodyFilled));
        _bodyFilled = needed;
        consumed += take;
        return _bodyFilled == _declaredBodyLength ? Complete(_body, HttpHeaders.Empty) : ParseOutcome.NeedMoreData;
    }

    /// <summary>A streamed Content-Length body: each call hands out what is here, without copying.</summary>
    private ParseOutcome StreamContentLengthBody(ReadOnlySpan<byte> data, ref int consumed)
    {
        if (_bodyFilled == _declaredBodyLength)
        {
            return Complete(ReadOnlyMemory<byte>.Empty, HttpHeaders.Empty);
        }

        var take = (int)Math.Min(_declaredBodyLength - _bodyFilled, data.Length - consumed);
        if (take == 0)
        {
            return ParseOutcome.NeedMoreData;
        }

        BodyData = (consumed, take);
        _bodyFilled += take;
        consumed += take;
        return ParseOutcome.BodyData;
    }

    /// <summary>The chunked framing of RFC 9112 §7.1, byte by byte for the short size lines, block-copied for data.</summary>
    private ParseOutcome ParseChunkedBody(ReadOnlySpan<byte> data, ref int consumed)
    {
        while (true)
        {
            if (_state == State.Trailers)
            {
                return ParseTrailers(data, ref consumed);
            }

            if (consumed == data.Length)
            {
                return ParseOutcome.NeedMoreData;
            }

            if (_state == State.ChunkData)
            {
                var take = (int)Math.Min(_chunkSize, data.Length - consumed);
                var start = consumed;
                consumed += take;
                _chunkSize -= take;
                if (_chunkSize == 0)
                {
                    _state = State.ChunkDataCr;
                }

                if (_streaming)
                {
                    BodyData = (start, take);
                    _bodyFilled += take;
                    return ParseOutcome.BodyData;
                }

                AppendChunkData(data.Slice(start, take));
                continue;
            }

            var reason = StepChunkFraming(data[consumed]);
            if (reason is not null)
            {
                return Reject(reason.Value);
            }

            consumed++;
        }
    }

    private RejectionReason? StepChunkFraming(byte b)
    {
        switch (_state)
        {
            case State.ChunkSize when HexDigits.Contains(b):
                if (++_chunkSizeDigits > MaxChunkSizeDigits)
                {
                    return RejectionReason.InvalidChunkSize;
                }

                // Checked before shifting so the size can never overflow: a 17th significant hex digit
                // (or any size past the body limit) is refused as too large.
                if (_chunkSize > (long.MaxValue >> 4))
                {
                    return RejectionReason.BodyTooLarge;
                }

                _chunkSize = (_chunkSize << 4) | (long)HexValue(b);
                return _chunkSize > _bodyLimit - _bodyFilled ? RejectionReason.BodyTooLarge : null;
            case State.ChunkSize:
                if (_chunkSizeDigits == 0)
                {
                    return RejectionReason.InvalidChunkSize;
                }

                return EndChunkSizeDigits(b);
            case State.ChunkSizeWhitespace:
                // BWS is allowed only before a ";" (RFC 9112 §7.1.1).
                if (b is Sp or Htab)
                {
                    return CountExtensionByte();
                }

                if (b == ';')
                {
                    _state = State.ChunkExtension;
                    return CountExtensionByte();
                }

                return RejectionReason.InvalidChunkExtension;
            case State.ChunkExtension:
                if (b == Cr)
                {
                    _state = State.ChunkSizeLf;
                    return null;
                }

                // Extensions are skipped, but a CTL other than HTAB is never part of one.
                return b == Htab || (b >= 0x20 && b != 0x7F) ? CountExtensionByte() : RejectionReason.InvalidChunkExtension;
            case State.ChunkSizeLf:
                if (b != Lf)
                {
                    return RejectionReason.BareCarriageReturn;
                }

                _state = _chunkSize == 0 ? State.Trailers : State.ChunkData;
                _scanOffset = 0;
                _lineCount = 0;
                return null;
            case State.ChunkDataCr:
                if (b != Cr)
                {
                    return RejectionReason.MissingChunkTerminator;
                }

                _state = State.ChunkDataLf;
                return null;
            default:
                if (b != Lf)
                {
                    return RejectionReason.MissingChunkTerminator;
                }

                StartChunk();
                return null;
        }
    }

    private RejectionReason? EndChunkSizeDigits(byte b)
    {
        switch (b)
        {
            case Cr:
                _state = State.ChunkSizeLf;
                return null;
            case (byte)';':
                _state = State.ChunkExtension;
                return CountExtensionByte();
            case Sp or Htab:
                _state = State.ChunkSizeWhitespace;
                return CountExtensionByte();
            case Lf:
                return RejectionReason.BareCarriageReturn;
            default:
                return RejectionReason.InvalidChunkSize;
        }
    }

    private RejectionReason? CountExtensionByte() =>
        ++_chunkExtensionBytes > _limits.MaxChunkExtensionBytes ? RejectionReason.InvalidChunkExtension : null;

    private void StartChunk()
    {
        _state = State.ChunkSize;
        _chunkSize = 0;
        _chunkSizeDigits = 0;
        _chunkExtensionBytes = 0;
    }

    private void AppendChunkData(ReadOnlySpan<byte> chunk)
    {
        // Grown as data arrives rather than sized from the declared chunk, so a large declared size
        // costs nothing until its bytes actually come.
        var needed = _bodyFilled + chunk.Length;
        if (_body is null || needed > _body.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent((int)Math.Max(needed, Math.Max(InitialChunkBufferBytes, (_body?.Length ?? 0) * 2L)));
            if (_body is not null)
            {
                _body.AsSpan(0, (int)_bodyFilled).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(_body);
            }

            _body = grown;
        }

        chunk.CopyTo(_body.AsSpan((int)_bodyFilled));
        _bodyFilled = needed;
    }

    /// <summary>The trailer section (RFC 9112 §7.1.2): held unconsumed until whole, like the head, then parsed with the field rules.</summary>
    private ParseOutcome ParseTrailers(ReadOnlySpan<byte> data, ref int consumed)
    {
        var section = data[consumed..];
        var scan = ScanFieldSection(section, 0, out var sectionEnd);
        if (scan != ParseOutcome.RequestComplete)
        {
            return scan;
        }

        if (ParseFields(section[..(sectionEnd - 2)]) is not null)
        {
            return Reject(RejectionReason.InvalidTrailer);
        }

        var trailers = _fields.Count == 0 ? HttpHeaders.Empty : new HttpHeaders(_fields.ToArray());
        _fields.Clear();
        consumed += sectionEnd;

        byte[] body = _body is null ? [] : _body.AsSpan(0, (int)_bodyFilled).ToArray();
        ReturnChunkBuffer();
        return Complete(body, trailers);
    }

    private ParseOutcome Complete(ReadOnlyMemory<byte> body, HttpHeaders trailers)
    {
        var pending = _pending!;
        var outcome = _streaming ? ParseOutcome.BodyComplete : ParseOutcome.RequestComplete;
        Request = _streaming ? pending with { BodyStreamed = true, Trailers = trailers }
            : body.IsEmpty && trailers.Count == 0 ? pending
            : pending with { Body = body, Trailers = trailers };
        _streaming = false;
        _pending = null;
        _body = null;
        _bodyFilled = 0;
        _expectContinue = false;
        _requestLineEnd = -1;
        _scanOffset = 0;
        _lineCount = 0;
        _state = State.Head;
        HasPartialRequest = false;
        return outcome;
    }

    private ParseOutcome Reject(RejectionReason reason)
    {
        if (_state is not State.Head and not State.ContentLengthBody)
        {
            ReturnChunkBuffer();
        }

        _state = State.Dead;
        _pending = null;
        _body = null;
        Rejection = RequestRejection.For(reason);
        return ParseOutcome.Rejected;
    }

    private void ReturnChunkBuffer()
    {
        if (_body is not null)
        {
            ArrayPool<byte>.Shared.Return(_body);
            _body = null;
        }
    }

    /// <summary>The last request's fields when this one's are the very same strings (immutable, so shared safely).</summary>
    private HttpHeaders ReuseHeaders()
    {
        if (_lastHeaders is { } last && last.Count == _fields.Count)
        {
            var same = true;
            for (var i = 0; i < _fields.Count && same; i++)
            {
                same = ReferenceEquals(last[i].Key, _fields[i].Key) && ReferenceEquals(last[i].Value, _fields[i].Value);
            }

            if (same)
            {
                return last;
            }
        }

        return _lastHeaders = new HttpHeaders(_fields.ToArray());
    }

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;

    private static string Intern(ReadOnlySpan<byte> bytes, string[] known)
    {
        foreach (var candidate in known)
        {
            if (candidate.Length == bytes.Length && Ascii.Equals(bytes, candidate))
            {
                return candidate;
            }
        }

        return Encoding.ASCII.GetString(bytes);
    }

    private static byte[] FieldValueBytes()
    {
        // RFC 9110 §5.5: HTAB, SP, VCHAR and obs-text; every other CTL (NUL, CR, LF, DEL...) is refused.
        var bytes = new List<byte> { Htab };
        for (var b = 0x20; b <= 0xFF; b++)
        {
            if (b != 0x7F)
            {
                bytes.Add((byte)b);
            }
        }

        return [.. bytes];
    }
}
