using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace ActorHttp.Protocol;

/// <summary>
/// Turns the raw path of a request-target into the path the router matches on: percent-decoded,
/// UTF-8, dot-segments removed (RFC 3986 §2.1, §5.2.4).
/// </summary>
public static class PathNormalizer
{
    private const int StackLimit = 512;

    /// <summary>
    /// False when the decoded bytes are not UTF-8, or when they hold NUL. A <c>%</c> not followed by two
    /// hex digits (<c>%zz</c>, a trailing <c>%</c>) is not an escape: it stays literal, as browsers and
    /// Kestrel treat it. <c>%2F</c> stays encoded (as <c>%2F</c>) so a decoded slash can never split a
    /// segment and slip past a route or a dot-segment check.
    /// </summary>
    public static bool TryNormalize(ReadOnlySpan<byte> rawPath, out string path)
    {
        if (!rawPath.Contains((byte)'%'))
        {
            return TryFinish(rawPath, out path);
        }

        // Decoding never lengthens the path: "%2F" stays three bytes, any other "%xx" becomes one.
        byte[]? rented = null;
        Span<byte> buffer = rawPath.Length <= StackLimit
            ? stackalloc byte[StackLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(rawPath.Length));
        try
        {
            return TryFinish(buffer[..PercentDecode(rawPath, buffer)], out path);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static bool TryFinish(ReadOnlySpan<byte> decoded, out string path)
    {
        path = "";
        if (decoded.Contains((byte)0) || !Utf8.IsValid(decoded))
        {
            return false;
        }

        path = RemoveDotSegments(Encoding.UTF8.GetString(decoded));
        return true;
    }

    /// <summary>Decodes <paramref name="raw"/> into <paramref name="output"/> and returns the decoded length.</summary>
    private static int PercentDecode(ReadOnlySpan<byte> raw, Span<byte> output)
    {
        var length = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var b = raw[i];
            if (b != '%' || i + 2 >= raw.Length || !TryHex(raw[i + 1], out var high) || !TryHex(raw[i + 2], out var low))
            {
                output[length++] = b;
                continue;
            }

            var value = (byte)((high << 4) | low);
            if (value == '/')
            {
                "%2F"u8.CopyTo(output[length..]);
                length += 3;
            }
            else
            {
                output[length++] = value;
            }

            i += 2;
        }

        return length;
    }

    private static bool TryHex(byte b, out int value)
    {
        value = b switch
        {
            >= (byte)'0' and <= (byte)'9' => b - '0',
            >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
            >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
            _ => -1,
        };
        return value >= 0;
    }

    private static string RemoveDotSegments(string path)
    {
        var relative = path.StartsWith('/') ? path[1..] : path;
        if (!HasDotSegment(relative))
        {
            return path.StartsWith('/') ? path : "/" + path;
        }

        var segments = relative.Split('/');
        var kept = new List<string>(segments.Length);
        var trailingSlash = false;
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            var isLast = i == segments.Length - 1;
            if (segment == "." || segment == "..")
            {
                // "/a/b/.." names the directory "/a/", so the result keeps its trailing slash.
                if (segment == ".." && kept.Count > 0)
                {
                    kept.RemoveAt(kept.Count - 1);
                }

                trailingSlash = isLast;
                continue;
            }

            kept.Add(segment);
        }

        var result = "/" + string.Join('/', kept);
        return trailingSlash && kept.Count > 0 ? result + "/" : result;
    }

    private static bool HasDotSegment(string relative)
    {
        foreach (var segment in relative.AsSpan().Split('/'))
        {
            var text = relative.AsSpan(segment);
            if (text is "." or "..")
            {
                return true;
            }
        }

        return false;
    }
}
