using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ActorHttp.Protocol;

/// <summary>
/// Incremental HTTP/1.1 request parser (RFC 9112), one per connection, reused for every request on it.
/// It does no I/O: the caller hands it the bytes it has buffered, drops what the parser consumed and
/// hands the rest back with more appended. The head is consumed only once it is whole, but its lines are
/// checked as they arrive, so one that is already malformed is refused without waiting for the rest;
/// body bytes are consumed as they come, so the caller never buffers more than one head plus one read.
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

    // A target is any run of visible ASCII (VCHAR, 0x21-0x7E), wider than RFC 3986 allows: browsers send
    // "[", "]", "{", "}", "|", "^", "\"", "<", ">" and "`" raw (a[]=1, q=a|b) and may leave a "#fragment".
    // SP ends the target, so none of these can break the request line; a CTL, DEL or non-ASCII byte
    // never fits anywhere in a target and is refused at once.
    private const byte FirstTargetByte = 0x21;
    private const byte LastTargetByte = 0x7E;

    // RFC 3986 §3.2.2 reg-name: unreserved, sub-delims and "%" (pct-encoded is checked separately).
    private static readonly SearchValues<byte> RegNameChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=%"u8);

    // RFC 3986 §3.2.2: what follows "v" HEXDIG "." in an IPvFuture (unreserved, sub-delims, ":").
    private static readonly SearchValues<byte> IpFutureChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:"u8);

    private static readonly SearchValues<byte> Ipv6Chars = SearchValues.Create("0123456789abcdefABCDEF:."u8);

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

    // Bytes of the empty lines ignored (and consumed) before this request's line; see SkipEmptyLines.
    private int _emptyLineBytes;

    // The request line as it arrives: where its target and version start (-1 until reached) and how far
    // its bytes were checked; then its parts, held until the head is whole.
    private int _targetStart = -1;
    private int _versionStart = -1;
    private int _requestLineChecked;
    private string _method = "";
    private string _target = "";
    private string _path = "";
    private string _query = "";
    private HttpVersion _version;

    // The field lines of a head not yet whole: those before _validatedOffset were checked in full, the
    // line at _arrivingLineStart as far as _arrivingLineCheck says.
    private int _validatedOffset;
    private int _arrivingLineStart = -1;
    private FieldLineCheck _arrivingLineCheck;

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
        ChunkSizeLf,

        // RFC 9112 §7.1.1: chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ),
        // a name a token, a value a token or a quoted-string; one state per place in that grammar.
        ChunkExtWhitespaceBeforeSemicolon,
        ChunkExtBeforeName,
        ChunkExtName,
        ChunkExtWhitespaceAfterName,
        ChunkExtBeforeValue,
        ChunkExtTokenValue,
        ChunkExtQuotedValue,
        ChunkExtQuotedPair,
        ChunkExtAfterQuotedValue,
        ChunkData,
        ChunkDataCr,
        ChunkDataLf,
        Trailers,
        Dead,
    }

    private enum LineBreak
    {
        Incomplete,
        Crlf,
        Bare,
    }

    private enum FieldLinePart
    {
        Name,
        WhitespaceAfterName,
        Value,
        Ended,
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
            HasPartialRequest = data.Length > 0 || _emptyLineBytes > 0;
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
        if (_requestLineChecked == 0)
        {
            // Nothing of the request line has been read: the empty lines before it are consumed here,
            // so every offset the head keeps counts from its first byte.
            var emptyLinesOutcome = SkipEmptyLines(data, out var skipped);
            consumed = skipped;
            if (emptyLinesOutcome != ParseOutcome.RequestComplete)
            {
                return emptyLinesOutcome;
            }

            data = data[skipped..];
        }

        if (_requestLineEnd < 0)
        {
            var lineOutcome = ScanRequestLine(data);
            if (lineOutcome != ParseOutcome.RequestComplete)
            {
                return lineOutcome;
            }
        }

        var scanReason = ScanFieldSection(data, _requestLineEnd, out var headEnd, out var arrivingLineEnd);
        if (headEnd < 0)
        {
            // A line that is already wrong is refused now, not when the head ends or the header timeout
            // fires; it comes before any limit broken further on, as it would in a head read whole.
            var reason = CheckArrivedFieldLines(data, arrivingLineEnd) ?? scanReason;
            return reason is null ? ParseOutcome.NeedMoreData : Reject(reason.Value);
        }

        var rejection = ParseHeadSection(data[_requestLineEnd..(headEnd - 2)]);
        if (rejection is not null)
        {
            return Reject(rejection.Value);
        }

        consumed += headEnd;
        return ParseOutcome.RequestComplete;
    }

    /// <summary>
    /// RFC 9112 §2.2: a server SHOULD ignore at least one empty line (CRLF) before a request line; old
    /// clients send one after a POST body. Empty lines are skipped as long as their bytes would fit in a
    /// request line (<see cref="HttpLimits.MaxRequestLineBytes"/>, 4096 lines by default), so they never
    /// cost more than one request line; past that the client is refused. A bare LF or CR is refused
    /// here as in every other line ending. <paramref name="skipped"/> counts the bytes of the empty
    /// lines in <paramref name="data"/>; the outcome is RequestComplete once a request line starts.
    /// </summary>
    private ParseOutcome SkipEmptyLines(ReadOnlySpan<byte> data, out int skipped)
    {
        skipped = 0;
        while (skipped < data.Length && data[skipped] is Cr or Lf)
        {
            switch (LineBreakAt(data, skipped))
            {
                case LineBreak.Incomplete:
                    return ParseOutcome.NeedMoreData;
                case LineBreak.Bare:
                    return Reject(RejectionReason.BareCarriageReturn);
            }

            skipped += 2;
            _emptyLineBytes += 2;
            if (_emptyLineBytes > _limits.MaxRequestLineBytes)
            {
                return Reject(RejectionReason.TooManyEmptyLines);
            }
        }

        return skipped == data.Length ? ParseOutcome.NeedMoreData : ParseOutcome.RequestComplete;
    }

    /// <summary>
    /// Reads the request line as it arrives, each byte looked at once, and refuses it at the first byte
    /// that makes it wrong whatever follows (a TLS ClientHello fails on its first byte), with the reason
    /// it would get if read whole; a line that cannot fit fails before its end arrives.
    /// </summary>
    private ParseOutcome ScanRequestLine(ReadOnlySpan<byte> data)
    {
        // Bytes past the longest line allowed (its CRLF included) are never looked at: the line is too long
        // whatever they hold, and what comes before decides first.
        var limit = _limits.MaxRequestLineBytes + 2;
        var line = data.Length > limit ? data[..limit] : data;
        var reason = ScanRequestLineParts(line, out var lineEnd);
        if (reason is not null)
        {
            return Reject(reason.Value);
        }

        if (lineEnd < 0)
        {
            return data.Length >= limit ? Reject(RejectionReason.RequestLineTooLong) : ParseOutcome.NeedMoreData;
        }

        _requestLineEnd = lineEnd;
        _scanOffset = lineEnd;
        _validatedOffset = lineEnd;
        _lineCount = 0;
        return ParseOutcome.RequestComplete;
    }

    /// <summary>
    /// RFC 9112 §3: method SP request-target SP HTTP-version CRLF, read part by part from where the last
    /// call stopped. <paramref name="lineEnd"/> stays -1 until the whole line is here and valid.
    /// </summary>
    private RejectionReason? ScanRequestLineParts(ReadOnlySpan<byte> line, out int lineEnd)
    {
        lineEnd = -1;
        if (_targetStart < 0)
        {
            var methodEnd = line[_requestLineChecked..].IndexOfAnyExcept(TokenChars);
            if (methodEnd < 0)
            {
                _requestLineChecked = line.Length;
                return null;
            }

            methodEnd += _requestLineChecked;
            if (methodEnd == 0 || line[methodEnd] != Sp)
            {
                return RejectionReason.InvalidMethod;
            }

            _method = Intern(line[..methodEnd], KnownMethods);
            _targetStart = _requestLineChecked = methodEnd + 1;
        }

        if (_versionStart < 0)
        {
            // A target holds no SP, so the first SP after it starts the version.
            var targetEnd = line[_requestLineChecked..].IndexOfAnyExceptInRange(FirstTargetByte, LastTargetByte);
            if (targetEnd < 0)
            {
                _requestLineChecked = line.Length;
                return null;
            }

            targetEnd += _requestLineChecked;
            _requestLineChecked = targetEnd;
            var stop = line[targetEnd];
            if (stop is Cr or Lf)
            {
                // The line ends where the version should start.
                return LineBreakAt(line, targetEnd) switch
                {
                    LineBreak.Incomplete => null,
                    LineBreak.Bare => RejectionReason.BareCarriageReturn,
                    _ => RejectionReason.InvalidRequestLine,
                };
            }

            if (stop != Sp)
            {
                return RejectionReason.InvalidRequestTarget;
            }

            if (targetEnd == _targetStart)
            {
                return RejectionReason.InvalidRequestLine;
            }

            var targetReason = SetTarget(line[_targetStart..targetEnd]);
            if (targetReason is not null)
            {
                return targetReason;
            }

            _versionStart = targetEnd + 1;
        }

        return ScanVersion(line, out lineEnd);
    }

    private RejectionReason? SetTarget(ReadOnlySpan<byte> target)
    {
        // A fragment names a part of the resource for the client alone (RFC 9110 §4.2.5): a browser
        // should not send it, and it is dropped here, so neither routing nor Target ever sees it.
        var fragment = target.IndexOf((byte)'#');
        if (fragment >= 0)
        {
            target = target[..fragment];
            if (target.IsEmpty)
            {
                return RejectionReason.InvalidRequestTarget;
            }
        }

        // RFC 9112 §3.2.3, RFC 9110 §9.3.6: CONNECT takes the authority-form (host:port) and nothing else
        // does. A well-formed one asks for a tunnel, which an origin server does not open: 501, as for
        // a method the server does not implement, since the request itself is not malformed.
        if (_method == "CONNECT")
        {
            return IsAuthorityForm(target) ? RejectionReason.ConnectNotSupported : RejectionReason.InvalidRequestTarget;
        }

        if (_lastTarget is not null && Ascii.Equals(target, _lastTarget))
        {
            // The same origin-form target as the last request: it parses to the same path and query.
            (_target, _path, _query) = (_lastTarget, _lastPath, _lastQuery);
            return null;
        }

        var targetReason = ParseTarget(_method, target, out var path, out var query);
        if (targetReason is not null)
        {
            return targetReason;
        }

        // Most targets are a plain path: the decoded path is then the same text, and one string serves both.
        var targetText = target.Length == path.Length && Ascii.Equals(target, path) ? path : Encoding.ASCII.GetString(target);
        (_target, _path, _query) = (targetText, path, query);
        if (target[0] == '/')
        {
            (_lastTarget, _lastPath, _lastQuery) = (targetText, path, query);
        }

        return null;
    }

    /// <summary>
    /// RFC 9112 §2.3: "HTTP/" DIGIT "." DIGIT, case-sensitive, then the line's CRLF. It is refused at the
    /// first byte that does not fit; a well-formed version other than 1.0 and 1.1 is 505, not 400.
    /// </summary>
    private RejectionReason? ScanVersion(ReadOnlySpan<byte> line, out int lineEnd)
    {
        lineEnd = -1;
        var text = line[_versionStart..];
        if (text.IsEmpty)
        {
            return null;
        }

        if (text[0] == Sp)
        {
            return RejectionReason.InvalidRequestLine;
        }

        for (var i = 0; i < Math.Min(text.Length, 8); i++)
        {
            var fits = i switch
            {
                < 5 => text[i] == "HTTP/"u8[i],
                6 => text[i] == '.',
                _ => char.IsAsciiDigit((char)text[i]),
            };
            if (!fits)
            {
                return RejectionReason.InvalidVersion;
            }
        }

        if (text.Length <= 8)
        {
            return null;
        }

        if (text[8] is not (Cr or Lf))
        {
            return RejectionReason.InvalidVersion;
        }

        switch (LineBreakAt(text, 8))
        {
            case LineBreak.Incomplete:
                return null;
            case LineBreak.Bare:
                return RejectionReason.BareCarriageReturn;
        }

        if (text[5] != '1' || text[7] is not ((byte)'0' or (byte)'1'))
        {
            return RejectionReason.UnsupportedVersion;
        }

        _version = text[7] == '1' ? HttpVersion.Http11 : HttpVersion.Http10;
        lineEnd = _versionStart + 10;
        return null;
    }

    /// <summary>Whether the CR or LF at <paramref name="index"/> ends a line (RFC 9112 §2.2: CRLF only), or whether that is not known yet.</summary>
    private static LineBreak LineBreakAt(ReadOnlySpan<byte> bytes, int index) =>
        bytes[index] == Lf ? LineBreak.Bare
        : index + 1 == bytes.Length ? LineBreak.Incomplete
        : bytes[index + 1] == Lf ? LineBreak.Crlf
        : LineBreak.Bare;

    /// <summary>
    /// Looks for the empty line that ends a field section (headers or trailers) starting at
    /// <paramref name="sectionStart"/>, enforcing the size and count limits line by line so a peer
    /// cannot make us wait for, or hold, more than the limits allow. <paramref name="sectionEnd"/> stays
    /// -1 until the section is whole; <paramref name="arrivingLineEnd"/> is where the line at
    /// <see cref="_scanOffset"/> (still arriving, or refused) ends, its LF excluded.
    /// </summary>
    private RejectionReason? ScanFieldSection(ReadOnlySpan<byte> data, int sectionStart, out int sectionEnd, out int arrivingLineEnd)
    {
        sectionEnd = -1;
        while (true)
        {
            var rest = data[_scanOffset..];
            var lf = rest.IndexOf(Lf);
            if (lf < 0)
            {
                arrivingLineEnd = data.Length;
                return data.Length - sectionStart > _limits.MaxHeaderBytes ? RejectionReason.HeadersTooLarge : null;
            }

            arrivingLineEnd = _scanOffset + lf;
            var lineEnd = _scanOffset + lf + 1;
            if (lineEnd - sectionStart > _limits.MaxHeaderBytes)
            {
                return RejectionReason.HeadersTooLarge;
            }

            if (lf == 0 || rest[lf - 1] != Cr)
            {
                return RejectionReason.BareCarriageReturn;
            }

            if (lf == 1)
            {
                sectionEnd = lineEnd;
                return null;
            }

            if (++_lineCount > _limits.MaxHeaderCount)
            {
                return RejectionReason.TooManyHeaders;
            }

            _scanOffset = lineEnd;
        }
    }

    /// <summary>
    /// Checks the field lines of a head that is not whole: each complete line once, in full, then the
    /// bytes of the line at <see cref="_scanOffset"/> not checked before. Only bytes within the header
    /// size limit are looked at, so what a line holds decides before a limit broken further on.
    /// </summary>
    private RejectionReason? CheckArrivedFieldLines(ReadOnlySpan<byte> data, int arrivingLineEnd)
    {
        while (_validatedOffset < _scanOffset)
        {
            var line = data[_validatedOffset..];
            var check = default(FieldLineCheck);
            var reason = CheckFieldLine(line, ref check) ?? CheckHeadField(check.Name(line), check.Value(line));
            if (reason is not null)
            {
                return reason;
            }

            _validatedOffset += check.Checked + 2;
        }

        if (_arrivingLineStart != _scanOffset)
        {
            _arrivingLineStart = _scanOffset;
            _arrivingLineCheck = default;
        }

        var checkableEnd = Math.Min(arrivingLineEnd, _requestLineEnd + _limits.MaxHeaderBytes);
        return checkableEnd > _scanOffset ? CheckFieldLine(data[_scanOffset..checkableEnd], ref _arrivingLineCheck) : null;
    }

    /// <summary>
    /// Checks a field line (RFC 9112 §5, RFC 9110 §5.1, §5.5) from where <paramref name="check"/> stopped,
    /// failing at the first byte that makes it wrong whatever follows. <paramref name="bytes"/> may stop
    /// inside the line (a later call goes on from there) or run past its CRLF, which ends the check.
    /// </summary>
    private static RejectionReason? CheckFieldLine(ReadOnlySpan<byte> bytes, ref FieldLineCheck check)
    {
        while (check.Part != FieldLinePart.Ended && check.Checked < bytes.Length)
        {
            var rest = bytes[check.Checked..];
            if (check.Checked == 0 && rest[0] is Sp or Htab)
            {
                return RejectionReason.ObsoleteLineFolding;
            }

            var stop = check.Part switch
            {
                FieldLinePart.Name => rest.IndexOfAnyExcept(TokenChars),
                FieldLinePart.WhitespaceAfterName => rest.IndexOfAnyExcept(Sp, Htab),
                _ => rest.IndexOfAnyExcept(FieldValueChars),
            };
            if (stop < 0)
            {
                check.Checked = bytes.Length;
                return null;
            }

            check.Checked += stop;
            var b = rest[stop];
            if (b is Cr or Lf)
            {
                switch (LineBreakAt(bytes, check.Checked))
                {
                    case LineBreak.Incomplete:
                        return null;
                    case LineBreak.Bare:
                        return RejectionReason.BareCarriageReturn;
                }

                if (check.Part != FieldLinePart.Value)
                {
                    return RejectionReason.InvalidHeaderName;
                }

                check.Part = FieldLinePart.Ended;
                return null;
            }

            switch (check.Part)
            {
                case FieldLinePart.Name when b == ':' && check.Checked > 0:
                    check.Colon = check.Checked++;
                    check.Part = FieldLinePart.Value;
                    break;
                case FieldLinePart.Name when b is Sp or Htab:
                    check.Part = FieldLinePart.WhitespaceAfterName;
                    break;
                case FieldLinePart.WhitespaceAfterName when b == ':':
                    return RejectionReason.WhitespaceBeforeColon;
                case FieldLinePart.Value:
                    return RejectionReason.InvalidHeaderValue;
                default:
                    return RejectionReason.InvalidHeaderName;
            }
        }

        return null;
    }

    /// <summary>The head fields whose value has a grammar the server relies on, checked as soon as their line is whole.</summary>
    private RejectionReason? CheckHeadField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (Ascii.EqualsIgnoreCase(name, "Host"u8))
        {
            // RFC 9112 §3.2.2: an absolute-form target names the host and Host is ignored, so only its
            // syntax matters; any other form takes the host from Host, and an http URI with an empty
            // host is invalid (RFC 9110 §4.2.1).
            var targetNamesHost = _target[0] != '/' && _target != "*";
            return IsValidHost(value, emptyAllowed: targetNamesHost) ? null : RejectionReason.InvalidHost;
        }

        if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
        {
            // RFC 9112 §6.3: a list, even of equal values, is refused as several lengths.
            return value.Contains((byte)',') ? RejectionReason.MultipleContentLengths
                : IsValidContentLength(value) ? null
                : RejectionReason.InvalidContentLength;
        }

        return null;
    }

    private RejectionReason? ParseHeadSection(ReadOnlySpan<byte> fieldLines)
    {
        var fieldReason = ParseFields(fieldLines, inHead: true);
        if (fieldReason is not null)
        {
            return fieldReason;
        }

        var headers = ReuseHeaders();
        _fields.Clear();
        return ApplyHeaderSemantics(_method, _target, _path, _query, _version, headers);
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

        ReadOnlySpan<byte> pathAndQuery;
        if (target[0] == '/')
        {
            pathAndQuery = target;
        }
        else if (!TryStripAbsoluteForm(target, out pathAndQuery))
        {
            return RejectionReason.InvalidRequestTarget;
        }

        // The query is handed on as sent, a malformed "%" included: what it means is the handler's business.
        var questionMark = pathAndQuery.IndexOf((byte)'?');
        var rawPath = questionMark < 0 ? pathAndQuery : pathAndQuery[..questionMark];
        ReadOnlySpan<byte> rawQuery = questionMark < 0 ? [] : pathAndQuery[(questionMark + 1)..];
        if (!PathNormalizer.TryNormalize(rawPath.IsEmpty ? "/"u8 : rawPath, out path))
        {
            return RejectionReason.InvalidPercentEncoding;
        }

        query = rawQuery.IsEmpty ? "" : Encoding.ASCII.GetString(rawQuery);
        return null;
    }

    /// <summary>RFC 9112 §3.2.3: authority-form = uri-host ":" port, the port required.</summary>
    private static bool IsAuthorityForm(ReadOnlySpan<byte> target)
    {
        // The port's ":" comes after an IPv6 literal's closing "]", and a reg-name holds none.
        var afterLiteral = target[(target.LastIndexOf((byte)']') + 1)..];
        return afterLiteral.Contains((byte)':') && IsValidHost(target, emptyAllowed: false);
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

        // The authority must be a host[:port] as Host would be: never empty, and never with userinfo,
        // which is deprecated in http URIs (RFC 9110 §4.2.4) and only ever hides the real host.
        if (!IsValidHost(authority, emptyAllowed: false))
        {
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

    /// <summary>Parses field lines (each ending CRLF, found by the scan) into <see cref="_fields"/> with the rules of RFC 9112 §5.</summary>
    private RejectionReason? ParseFields(ReadOnlySpan<byte> lines, bool inHead)
    {
        _fields.Clear();
        while (!lines.IsEmpty)
        {
            var check = default(FieldLineCheck);
            var reason = CheckFieldLine(lines, ref check);
            if (reason is not null)
            {
                return reason;
            }

            var name = check.Name(lines);
            var value = check.Value(lines);
            if (inHead && CheckHeadField(name, value) is { } fieldReason)
            {
                return fieldReason;
            }

            lines = lines[(check.Checked + 2)..];

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
        string? contentLength = null;
        var contentLengthCount = 0;
        var hasTransferEncoding = false;
        foreach (var (name, value) in headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                hostCount++;
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
            if (contentLengthCount > 1)
            {
                return RejectionReason.MultipleContentLengths;
            }

            // Its digits were checked, overflow included, when its line arrived.
            bodyLength = long.Parse(contentLength!, NumberStyles.None, CultureInfo.InvariantCulture);
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
    /// RFC 9112 §6.3: unless chunked is the final coding the body's length cannot be known, so it is 400
    /// whatever the other codings are; §7: chunked is applied once at most, or the framing is ambiguous
    /// (400). Only then does a coding before it matter: we decode none, so it is 501 (§6.1). The field
    /// may be split over several lines.
    /// </summary>
    private static RejectionReason? CheckTransferCodings(HttpHeaders headers)
    {
        var chunkedCount = 0;
        var lastIsChunked = false;
        var otherCoding = false;
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
                if (lastIsChunked)
                {
                    chunkedCount++;
                }
                else
                {
                    otherCoding = true;
                }
            }
        }

        return !lastIsChunked || chunkedCount > 1 ? RejectionReason.ChunkedNotFinal
            : otherCoding ? RejectionReason.UnsupportedTransferCoding
            : null;
    }

    private static bool IsValidContentLength(ReadOnlySpan<byte> digits)
    {
        if (digits.IsEmpty)
        {
            return false;
        }

        long length = 0;
        foreach (var b in digits)
        {
            if (!char.IsAsciiDigit((char)b) || length > (long.MaxValue - (b - '0')) / 10)
            {
                return false;
            }

            length = (length * 10) + (b - '0');
        }

        return true;
    }

    /// <summary>
    /// RFC 9112 §3.2 with RFC 3986 §3.2.2-3.2.3: uri-host [ ":" port ], the host a reg-name (which
    /// covers IPv4 addresses) or a bracketed IP-literal, the port at most 65535. Routing picks the
    /// virtual host from this value, so nothing else may pass.
    /// </summary>
    private static bool IsValidHost(ReadOnlySpan<byte> value, bool emptyAllowed)
    {
        if (value.IsEmpty)
        {
            return emptyAllowed;
        }

        ReadOnlySpan<byte> port;
        if (value[0] == '[')
        {
            var close = value.IndexOf((byte)']');
            if (close < 0 || !IsValidIpLiteral(value[1..close]))
            {
                return false;
            }

            port = value[(close + 1)..];
        }
        else
        {
            var hostEnd = value.IndexOfAnyExcept(RegNameChars);
            var host = hostEnd < 0 ? value : value[..hostEnd];

            // An empty host before a port names no server at all.
            if (host.IsEmpty || !IsValidPercentEncoding(host))
            {
                return false;
            }

            port = value[host.Length..];
        }

        return port.IsEmpty || (port[0] == ':' && IsValidPort(port[1..]));
    }

    /// <summary>RFC 3986 §3.2.3: port = *DIGIT (an empty port means the default one); TCP ports end at 65535.</summary>
    private static bool IsValidPort(ReadOnlySpan<byte> digits)
    {
        var port = 0;
        foreach (var b in digits)
        {
            if (!char.IsAsciiDigit((char)b))
            {
                return false;
            }

            port = (port * 10) + (b - '0');
            if (port > ushort.MaxValue)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>RFC 3986 §3.2.2: the inside of IP-literal = "[" ( IPv6address / IPvFuture ) "]".</summary>
    private static bool IsValidIpLiteral(ReadOnlySpan<byte> literal)
    {
        if (!literal.IsEmpty && (literal[0] | 0x20) == 'v')
        {
            // IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
            var dot = literal.IndexOf((byte)'.');
            return dot > 1 && dot < literal.Length - 1
                && literal[1..dot].IndexOfAnyExcept(HexDigits) < 0
                && literal[(dot + 1)..].IndexOfAnyExcept(IpFutureChars) < 0;
        }

        // IPAddress would also take an IPv4 address or a zone id ("%eth0"), which IPv6address never holds.
        return literal.IndexOfAnyExcept(Ipv6Chars) < 0
            && IPAddress.TryParse(literal, out var address)
            && address.AddressFamily == AddressFamily.InterNetworkV6;
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
                // makes a size no message can have, a framing error rather than a large body.
                if (_chunkSize > (long.MaxValue >> 4))
                {
                    return RejectionReason.ChunkSizeTooLarge;
                }

                _chunkSize = (_chunkSize << 4) | (long)HexValue(b);
                return null;
            case State.ChunkSize:
                if (_chunkSizeDigits == 0)
                {
                    return RejectionReason.InvalidChunkSize;
                }

                // Judged once the size is whole, so a size too large to represent is told apart from one over the limit.
                return _chunkSize > _bodyLimit - _bodyFilled ? RejectionReason.BodyTooLarge : EndChunkSizeDigits(b);
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
            case State.ChunkDataLf:
                if (b != Lf)
                {
                    return RejectionReason.MissingChunkTerminator;
                }

                StartChunk();
                return null;
            default:
                return StepChunkLineEnd(b, RejectionReason.InvalidChunkExtension);
        }
    }

    private RejectionReason? EndChunkSizeDigits(byte b) =>
        b == Lf ? RejectionReason.BareCarriageReturn : StepChunkLineEnd(b, RejectionReason.InvalidChunkSize);

    /// <summary>A byte after the size digits: the extensions' bytes count against their limit, the CR that ends the line does not.</summary>
    private RejectionReason? StepChunkLineEnd(byte b, RejectionReason misplacedByte) =>
        !StepChunkExtension(b) ? misplacedByte
        : _state == State.ChunkSizeLf ? null
        : CountExtensionByte();

    /// <summary>
    /// One byte of a chunk extension (RFC 9112 §7.1.1), or the byte right after the size digits; false
    /// when the grammar allows no such byte there. Extensions are skipped, but only well-formed ones:
    /// a recipient that skips a malformed one differently could frame the body differently. BWS may come
    /// only before a ";" or "=" or after one, so trailing whitespace before the CRLF is refused.
    /// </summary>
    private bool StepChunkExtension(byte b)
    {
        var whitespace = b is Sp or Htab;
        var token = TokenChars.Contains(b);
        (var next, var allowed) = _state switch
        {
            State.ChunkSize or State.ChunkExtTokenValue or State.ChunkExtAfterQuotedValue => b switch
            {
                (byte)';' => (State.ChunkExtBeforeName, true),
                Cr => (State.ChunkSizeLf, true),
                _ when whitespace => (State.ChunkExtWhitespaceBeforeSemicolon, true),
                _ => (_state, token && _state == State.ChunkExtTokenValue),
            },
            State.ChunkExtWhitespaceBeforeSemicolon => (b == ';' ? State.ChunkExtBeforeName : _state, whitespace || b == ';'),
            State.ChunkExtBeforeName => (token ? State.ChunkExtName : _state, token || whitespace),
            State.ChunkExtName => b switch
            {
                (byte)';' => (State.ChunkExtBeforeName, true),
                (byte)'=' => (State.ChunkExtBeforeValue, true),
                Cr => (State.ChunkSizeLf, true),
                _ when whitespace => (State.ChunkExtWhitespaceAfterName, true),
                _ => (_state, token),
            },
            State.ChunkExtWhitespaceAfterName => b switch
            {
                (byte)';' => (State.ChunkExtBeforeName, true),
                (byte)'=' => (State.ChunkExtBeforeValue, true),
                _ => (_state, whitespace),
            },
            State.ChunkExtBeforeValue => b switch
            {
                (byte)'"' => (State.ChunkExtQuotedValue, true),
                _ when token => (State.ChunkExtTokenValue, true),
                _ => (_state, whitespace),
            },
            State.ChunkExtQuotedValue => b switch
            {
                (byte)'"' => (State.ChunkExtAfterQuotedValue, true),
                (byte)'\\' => (State.ChunkExtQuotedPair, true),

                // qdtext: HTAB, SP, VCHAR but DQUOTE and backslash, obs-text; a CR means the quote never closed.
                _ => (_state, whitespace || (b > 0x20 && b != 0x7F)),
            },
            State.ChunkExtQuotedPair => (State.ChunkExtQuotedValue, whitespace || (b > 0x20 && b != 0x7F)),
            _ => throw new InvalidOperationException($"No chunk extension is read in state {_state}."),
        };
        _state = next;
        return allowed;
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
        var scanReason = ScanFieldSection(section, 0, out var sectionEnd, out _);
        if (scanReason is not null)
        {
            return Reject(scanReason.Value);
        }

        if (sectionEnd < 0)
        {
            return ParseOutcome.NeedMoreData;
        }

        if (ParseFields(section[..(sectionEnd - 2)], inHead: false) is not null)
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
        _targetStart = -1;
        _versionStart = -1;
        _requestLineChecked = 0;
        _emptyLineBytes = 0;
        _validatedOffset = 0;
        _arrivingLineStart = -1;
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

    /// <summary>How far a field line has been checked, so a line arriving in pieces is read once.</summary>
    private struct FieldLineCheck
    {
        public FieldLinePart Part;

        /// <summary>Bytes of the line checked so far; once <see cref="Part"/> is Ended, where its CRLF starts.</summary>
        public int Checked;

        public int Colon;

        public readonly ReadOnlySpan<byte> Name(ReadOnlySpan<byte> line) => line[..Colon];

        public readonly ReadOnlySpan<byte> Value(ReadOnlySpan<byte> line) => line[(Colon + 1)..Checked].Trim(" \t"u8);
    }
}
