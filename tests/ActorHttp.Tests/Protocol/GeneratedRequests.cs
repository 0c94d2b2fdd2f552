using System.Globalization;
using System.Text;
using ActorHttp.Protocol;
using FsCheck;
using FsCheck.Fluent;

namespace ActorHttp.Tests.Protocol;

/// <summary>A header or trailer field as generated: its value without the optional whitespace (OWS) around it on the wire.</summary>
internal sealed record GeneratedField(string Name, string Value, string LeadingWhitespace, string TrailingWhitespace)
{
    public string Line => $"{Name}:{LeadingWhitespace}{Value}{TrailingWhitespace}\r\n";
}

/// <summary>One chunk of a chunked body: its size as written (any case, leading zeros) and its extensions.</summary>
internal sealed record GeneratedChunk(byte[] Data, string Size, string Extensions);

/// <summary>
/// A valid request (RFC 9112) built field by field, so a test knows exactly what the parser must give
/// back; <see cref="Wire"/> is its bytes. A chunked body is <see cref="Chunks"/> then the last chunk and
/// <see cref="Trailers"/>; otherwise <see cref="Body"/> is sent as it is, framed by Content-Length or
/// absent.
/// </summary>
internal sealed record GeneratedRequest(
    string Method,
    string Target,
    string Path,
    string Query,
    HttpVersion Version,
    IReadOnlyList<GeneratedField> Fields,
    byte[] Body,
    IReadOnlyList<GeneratedChunk>? Chunks,
    string LastChunk,
    IReadOnlyList<GeneratedField> Trailers)
{
    public bool IsChunked => Chunks is not null;

    public byte[] Wire()
    {
        var head = new StringBuilder($"{Method} {Target} {Version.ToText()}\r\n");
        foreach (var field in Fields)
        {
            head.Append(field.Line);
        }

        var wire = new List<byte>(Encoding.Latin1.GetBytes(head.Append("\r\n").ToString()));
        if (Chunks is null)
        {
            wire.AddRange(Body);
            return [.. wire];
        }

        foreach (var chunk in Chunks)
        {
            wire.AddRange(Encoding.Latin1.GetBytes($"{chunk.Size}{chunk.Extensions}\r\n"));
            wire.AddRange(chunk.Data);
            wire.AddRange("\r\n"u8.ToArray());
        }

        wire.AddRange(Encoding.Latin1.GetBytes($"{LastChunk}\r\n{string.Concat(Trailers.Select(t => t.Line))}\r\n"));
        return [.. wire];
    }

    /// <summary>Where the head ends: the first empty line, since no field value can hold a CR or LF.</summary>
    public int HeadLength => Wire().AsSpan().IndexOf("\r\n\r\n"u8) + 4;

    /// <summary>The wire with its line ends and unprintable bytes escaped, so a failing case can be read and pasted.</summary>
    public override string ToString() => string.Concat(Wire().Select(b => b switch
    {
        (byte)'\r' => "\\r",
        (byte)'\n' => "\\n\n",
        (byte)'\\' => "\\\\",
        < 0x20 or >= 0x7F => $"\\x{b:X2}",
        _ => ((char)b).ToString(),
    }));
}

/// <summary>FsCheck generators of valid requests, and of the pieces that make them.</summary>
internal static class RequestGenerators
{
    /// <summary>
    /// What a path segment or a query holds as it is: RFC 3986 pchar without pct-encoded, and the
    /// visible characters browsers send unencoded that the parser accepts too ([]{}|^"&lt;&gt; and the
    /// backtick). The generators add "/" (and "?" in a query) themselves, and percent-encoding in the
    /// query only, so the path needs no decoding. "%" (an escape) and "#" (a fragment, dropped) are
    /// left out: each changes what the target means. Every property follows this one set.
    /// </summary>
    public const string TargetCharacters =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@[]{}|^\"<>`";

    /// <summary>RFC 9110 §5.6.2 tchar: methods, field names and chunk extension names.</summary>
    public const string TokenCharacters = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    // The fields that change how the request is framed or kept alive are placed by the generator, never at random.
    private static readonly string[] FramingFieldNames = ["Host", "Content-Length", "Transfer-Encoding", "Connection"];

    private static readonly string[] CommonFieldNames =
    [
        "Accept", "Accept-Encoding", "Accept-Language", "User-Agent", "Cookie", "Cache-Control", "Authorization",
        "Referer", "Origin", "If-None-Match", "X-Forwarded-For", "X-Request-Id",
    ];

    private static readonly string[] Hosts = ["localhost", "example.com", "example.com:8080", "127.0.0.1", "[::1]", "[::1]:443", "a-b.c_d~e"];

    // RFC 9110 §5.5: VCHAR and obs-text; whitespace only between them (OWS around a value is not part of it).
    private static readonly char[] FieldValueCharacters =
        Enumerable.Range(0x21, 0x7E - 0x21 + 1).Concat(Enumerable.Range(0x80, 0x80)).Select(c => (char)c).ToArray();

    // RFC 9110 §5.6.4 qdtext, less the backslash, which only appears in a quoted-pair.
    private static readonly char[] QuotedTextCharacters =
        " \t!#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~".ToCharArray();

    /// <summary>A method, field name or extension name: 1 to <paramref name="maxLength"/> tchars.</summary>
    public static Gen<string> Token(int maxLength) => StringOf(TokenCharacters.ToCharArray(), 1, maxLength);

    /// <summary>A field name as clients spell it, or any token; never a framing field's name.</summary>
    public static Gen<string> FieldName { get; } =
        Gen.OneOf(Gen.Elements(CommonFieldNames).SelectMany(AnyCase), Token(12))
            .Where(name => !FramingFieldNames.Contains(name, StringComparer.OrdinalIgnoreCase));

    private static Gen<string> TargetPath { get; } =
        from segments in StringOf(TargetCharacters.ToCharArray(), 1, 8).Where(s => s is not ("." or "..")).ListOf().Resize(4)
        from trailingSlash in Gen.Elements(true, false)
        select "/" + string.Join('/', segments) + (trailingSlash && segments.Count > 0 ? "/" : "");

    private static Gen<string> Query { get; } =
        Gen.OneOf(
                Gen.Elements(TargetCharacters.ToCharArray()).Select(c => c.ToString()),
                Gen.Elements("/", "?"),
                from high in Gen.Elements("0123456789abcdefABCDEF".ToCharArray())
                from low in Gen.Elements("0123456789abcdefABCDEF".ToCharArray())
                select $"%{high}{low}")
            .ListOf()
            .Resize(12)
            .Select(string.Concat);

    private static Gen<string> FieldValue { get; } =
        from words in StringOf(FieldValueCharacters, 1, 6).ListOf().Resize(4)
        from gaps in Gen.Elements(" ", "\t", "  ", " \t ").ArrayOf(Math.Max(0, words.Count - 1))
        select string.Concat(words.Select((word, i) => i == 0 ? word : gaps[i - 1] + word));

    private static Gen<string> OptionalWhitespace { get; } = Gen.Elements("", "", " ", "\t", "  ", " \t");

    private static Gen<GeneratedField> AnyField { get; } =
        from name in FieldName
        from value in FieldValue
        from field in Field(name, value)
        select field;

    // RFC 9112 §7.1.1: ";" name [ "=" ( token / quoted-string ) ], written without the optional whitespace.
    private static Gen<string> ChunkExtension { get; } =
        from name in Token(6)
        from value in Gen.OneOf(
            Gen.Constant(""),
            Token(6).Select(token => "=" + token),
            Gen.OneOf(Gen.Elements(QuotedTextCharacters).Select(c => c.ToString()), Gen.Elements("\\\"", "\\\\"))
                .ListOf()
                .Resize(8)
                .Select(parts => "=\"" + string.Concat(parts) + "\""))
        select ";" + name + value;

    private static Gen<GeneratedChunk> Chunk { get; } =
        from data in Bytes(40).Where(d => d.Length > 0)
        from size in ChunkSize(data.Length)
        from extensions in ChunkExtension.ListOf().Resize(2)
        select new GeneratedChunk(data, size, string.Concat(extensions));

    // Declared after the generators they use: static initializers run in order.

    /// <summary>A valid request of any method, target, version, fields and framing.</summary>
    public static Gen<GeneratedRequest> Requests { get; } = Framed(chunkedOnly: false);

    /// <summary>A valid HTTP/1.1 request with a chunked body.</summary>
    public static Gen<GeneratedRequest> ChunkedRequests { get; } = Framed(chunkedOnly: true);

    private static Gen<GeneratedRequest> Framed(bool chunkedOnly) =>
        from method in Gen.OneOf(Gen.Elements("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"), Token(10))
        from path in TargetPath
        from query in Gen.OneOf(Gen.Constant<string?>(null), Query.Select(q => (string?)q))
        from version in chunkedOnly ? Gen.Constant(HttpVersion.Http11) : Gen.Elements(HttpVersion.Http11, HttpVersion.Http11, HttpVersion.Http10)
        from host in from name in AnyCase("Host") from value in Gen.Elements(Hosts) from field in Field(name, value) select field
        from fields in AnyField.ListOf().Resize(6)
        from hostAt in Gen.Choose(0, fields.Count)
        from framing in chunkedOnly ? Gen.Constant(BodyFraming.Chunked)
            : version == HttpVersion.Http11 ? Gen.Elements(BodyFraming.Chunked, BodyFraming.ContentLength, BodyFraming.None)
            : Gen.Elements(BodyFraming.ContentLength, BodyFraming.None)
        from body in Bytes(120)
        from chunks in Chunk.ListOf().Resize(4)
        from lastChunk in ChunkSize(0)
        from trailers in AnyField.ListOf().Resize(3)
        from framingName in AnyCase(framing == BodyFraming.Chunked ? "Transfer-Encoding" : "Content-Length")
        from framingValue in framing == BodyFraming.Chunked ? AnyCase("chunked") : Gen.Constant(body.Length.ToString(CultureInfo.InvariantCulture))
        from framingField in Field(framingName, framingValue)
        from framingAt in Gen.Choose(0, fields.Count + 1)
        select Build(method, path, query, version, fields, (hostAt, host), framing switch
        {
            BodyFraming.Chunked => new Framing(framingAt, framingField, [], chunks, lastChunk, trailers),
            BodyFraming.ContentLength => new Framing(framingAt, framingField, body, null, "", []),
            _ => null,
        });

    private static Gen<GeneratedField> Field(string name, string value) =>
        from leading in OptionalWhitespace
        from trailing in OptionalWhitespace
        select new GeneratedField(name, value, leading, trailing);

    /// <summary>A chunk size in hex, in any case, with up to two leading zeros.</summary>
    private static Gen<string> ChunkSize(int size) =>
        from zeros in Gen.Choose(0, 2)
        from hex in AnyCase(size.ToString("x", CultureInfo.InvariantCulture))
        select new string('0', zeros) + hex;

    /// <summary>The text with each letter's case picked at random (field names, "chunked" and hex digits are case-insensitive).</summary>
    private static Gen<string> AnyCase(string text) =>
        Gen.Elements(true, false).ArrayOf(text.Length)
            .Select(upper => string.Concat(text.Select((c, i) => upper[i] ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c))));

    private static Gen<string> StringOf(char[] alphabet, int minLength, int maxLength) =>
        from length in Gen.Choose(minLength, maxLength)
        from chars in Gen.Elements(alphabet).ArrayOf(length)
        select new string(chars);

    private static Gen<byte[]> Bytes(int maxLength) =>
        from length in Gen.Choose(0, maxLength)
        from bytes in Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(length)
        select bytes;

    private static GeneratedRequest Build(
        string method,
        string path,
        string? query,
        HttpVersion version,
        IEnumerable<GeneratedField> fields,
        (int At, GeneratedField Field) host,
        Framing? framing)
    {
        var placed = fields.ToList();
        placed.Insert(host.At, host.Field);
        if (framing is not null)
        {
            placed.Insert(framing.At, framing.Field);
        }

        return new GeneratedRequest(
            method,
            query is null ? path : $"{path}?{query}",
            path,
            query ?? "",
            version,
            placed,
            framing?.Body ?? [],
            framing?.Chunks,
            framing?.LastChunk ?? "",
            framing?.Trailers ?? []);
    }

    private enum BodyFraming
    {
        Chunked,
        ContentLength,
        None,
    }

    /// <summary>How the body is framed: the framing field and where it goes, and what follows the head.</summary>
    private sealed record Framing(
        int At,
        GeneratedField Field,
        byte[] Body,
        IReadOnlyList<GeneratedChunk>? Chunks,
        string LastChunk,
        IReadOnlyList<GeneratedField> Trailers);
}
