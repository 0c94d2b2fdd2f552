using System.IO.Compression;

namespace ActorHttp.Protocol;

/// <summary>The content codings the server can apply to a response body (RFC 9110 §8.4.1).</summary>
public enum ContentCoding
{
    Identity,
    Gzip,
    Brotli,
}

/// <summary>When and how hard to compress (<c>actorhttp.compression</c>).</summary>
public sealed record CompressionSettings
{
    public bool Enabled { get; init; } = true;

    /// <summary>Smaller bodies go out as they are: the coding's own overhead would outweigh the gain.</summary>
    public int MinimumBytes { get; init; } = 256;

    public CompressionLevel Level { get; init; } = CompressionLevel.Fastest;

    /// <summary>Media types worth compressing (already-compressed formats such as images are not).</summary>
    public IReadOnlyList<string> MediaTypes { get; init; } =
    [
        "text/", "application/json", "application/problem+json", "application/javascript",
        "application/xml", "image/svg+xml", "application/wasm",
    ];

    // Settings read from two sources compare by content, the media types included.
    public bool Equals(CompressionSettings? other) =>
        other is not null && Enabled == other.Enabled && MinimumBytes == other.MinimumBytes
        && Level == other.Level && MediaTypes.SequenceEqual(other.MediaTypes);

    public override int GetHashCode() => HashCode.Combine(Enabled, MinimumBytes, Level, MediaTypes.Count);
}

/// <summary>
/// Negotiates a content coding from <c>Accept-Encoding</c> and applies it with System.IO.Compression:
/// to a complete body at once, or to a streamed body chunk by chunk (the connection runs a
/// <see cref="StreamingCompressor"/> for it).
/// </summary>
public static class ResponseCompression
{
    /// <summary>
    /// The preferred coding the client accepts (RFC 9110 §12.5.3): the highest q-value wins, Brotli
    /// before gzip on a tie (it compresses better); <c>q=0</c> refuses; <c>*</c> stands for any coding
    /// not listed.
    /// </summary>
    public static ContentCoding Negotiate(string? acceptEncoding)
    {
        var (brotliQuality, gzipQuality) = Qualities(acceptEncoding);
        if (brotliQuality <= 0 && gzipQuality <= 0)
        {
            return ContentCoding.Identity;
        }

        return brotliQuality >= gzipQuality ? ContentCoding.Brotli : ContentCoding.Gzip;
    }

    /// <summary>
    /// The codings the client accepts, most preferred first (Brotli first on a tie), identity left out:
    /// for choosing among precompressed files when the preferred one is missing.
    /// </summary>
    public static IReadOnlyList<ContentCoding> AcceptedCodings(string? acceptEncoding)
    {
        var (brotliQuality, gzipQuality) = Qualities(acceptEncoding);
        return (brotliQuality > 0, gzipQuality > 0) switch
        {
            (true, true) => brotliQuality >= gzipQuality ? [ContentCoding.Brotli, ContentCoding.Gzip] : [ContentCoding.Gzip, ContentCoding.Brotli],
            (true, false) => [ContentCoding.Brotli],
            (false, true) => [ContentCoding.Gzip],
            _ => [],
        };
    }

    /// <summary>The <c>Content-Encoding</c> token of a coding.</summary>
    public static string Token(ContentCoding coding) => coding switch
    {
        ContentCoding.Brotli => "br",
        ContentCoding.Gzip => "gzip",
        _ => "identity",
    };

    private static (double Brotli, double Gzip) Qualities(string? acceptEncoding)
    {
        if (string.IsNullOrEmpty(acceptEncoding))
        {
            return (0, 0);
        }

        double? gzip = null, brotli = null, any = null;
        foreach (var part in acceptEncoding.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pieces = part.Split(';', StringSplitOptions.TrimEntries);
            var quality = 1.0;
            foreach (var parameter in pieces.Skip(1))
            {
                if (parameter.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                    && !double.TryParse(parameter.AsSpan(2), System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out quality))
                {
                    quality = 0;
                }
            }

            switch (pieces[0].ToLowerInvariant())
            {
                case "gzip" or "x-gzip":
                    gzip = quality;
                    break;
                case "br":
                    brotli = quality;
                    break;
                case "*":
                    any = quality;
                    break;
            }
        }

        return (brotli ?? any ?? 0, gzip ?? any ?? 0);
    }

    /// <summary>
    /// The response to send for a client accepting <paramref name="coding"/>: compressed when the body
    /// is large and textual enough, and always with <c>Vary: Accept-Encoding</c> when the answer depends
    /// on it, so caches keep the variants apart (RFC 9110 §12.5.5).
    /// </summary>
    public static HttpResponse Apply(HttpResponse response, ContentCoding coding, CompressionSettings settings) =>
        IsCandidate(response, settings) ? Encode(response, coding, settings) : response;

    /// <summary>
    /// The same, negotiating from the raw <c>Accept-Encoding</c> field only for an answer worth
    /// compressing: most answers (small, binary) never pay for parsing it.
    /// </summary>
    public static HttpResponse Apply(HttpResponse response, string? acceptEncoding, CompressionSettings settings) =>
        IsCandidate(response, settings) ? Encode(response, Negotiate(acceptEncoding), settings) : response;

    /// <summary>
    /// The head of a streamed response for a client accepting <paramref name="acceptEncoding"/>, and in
    /// <paramref name="coding"/> the coding its chunks must then be compressed with. A compressed body's
    /// length is unknown until its end, so an announced <see cref="HttpResponse.StreamLength"/> gives way
    /// to chunked framing. A body whose announced length is under <c>min-bytes</c> is left alone; one
    /// of unknown length is compressed (as nginx does without a Content-Length).
    /// </summary>
    public static HttpResponse ApplyToStream(HttpResponse response, string? acceptEncoding, CompressionSettings settings, out ContentCoding coding)
    {
        coding = ContentCoding.Identity;
        if (!settings.Enabled || !response.Streamed || response.StreamLength < settings.MinimumBytes || !IsEligible(response, settings))
        {
            return response;
        }

        coding = Negotiate(acceptEncoding);
        var varied = response.WithHeader("Vary", "Accept-Encoding");
        return coding == ContentCoding.Identity
            ? varied
            : varied.WithHeader("Content-Encoding", Token(coding)) with { StreamLength = null };
    }

    private static bool IsCandidate(HttpResponse response, CompressionSettings settings) =>
        settings.Enabled && !response.Streamed && response.Body.Length >= settings.MinimumBytes && IsEligible(response, settings);

    private static bool IsEligible(HttpResponse response, CompressionSettings settings) =>
        response.StatusCode is >= 200 and not 204 and not 206 and not 304 && IsCompressible(response, settings);

    private static HttpResponse Encode(HttpResponse response, ContentCoding coding, CompressionSettings settings)
    {
        var varied = response.WithHeader("Vary", "Accept-Encoding");
        if (coding == ContentCoding.Identity)
        {
            return varied;
        }

        var compressed = Compress(response.Body.Span, coding, settings.Level);
        if (compressed.Length >= response.Body.Length)
        {
            return varied;
        }

        return varied.WithHeader("Content-Encoding", Token(coding)) with { Body = compressed };
    }

    public static byte[] Compress(ReadOnlySpan<byte> body, ContentCoding coding, CompressionLevel level)
    {
        using var output = new MemoryStream(body.Length / 2 + 64);
        using (Stream encoder = coding == ContentCoding.Brotli
            ? new BrotliStream(output, level, leaveOpen: true)
            : new GZipStream(output, level, leaveOpen: true))
        {
            encoder.Write(body);
        }

        return output.ToArray();
    }

    private static bool IsCompressible(HttpResponse response, CompressionSettings settings)
    {
        string? contentType = null;
        var fields = response.Headers;
        for (var i = 0; i < fields.Count; i++)
        {
            var (name, value) = fields[i];
            if (string.Equals(name, "Content-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            if (string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                contentType = value;
            }
        }

        if (contentType is null)
        {
            return false;
        }

        for (var i = 0; i < settings.MediaTypes.Count; i++)
        {
            if (contentType.StartsWith(settings.MediaTypes[i], StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
