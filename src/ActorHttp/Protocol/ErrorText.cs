using System.Buffers;
using System.Text;

namespace ActorHttp.Protocol;

/// <summary>
/// The one way an error answer repeats what the request sent (a decoded path, a header value). A path
/// may decode to any control character (<c>/nope%0d%0aX-Injected:%20true</c>): repeated raw, it would
/// put a CR LF, an ANSI escape or a NEL into a body that clients show, log or paste.
/// </summary>
public static class ErrorText
{
    // The C0 controls, DEL and the C1 controls: every char for which char.IsControl is true.
    private static readonly SearchValues<char> ControlChars =
        SearchValues.Create(Enumerable.Range(0, 0xA0).Select(c => (char)c).Where(char.IsControl).ToArray());

    /// <summary>
    /// <paramref name="fromRequest"/> with every control character percent-encoded as its UTF-8 bytes
    /// (CR becomes <c>%0D</c>), the way it could have been sent; the same string when it holds none.
    /// </summary>
    public static string Printable(string fromRequest)
    {
        var next = fromRequest.AsSpan().IndexOfAny(ControlChars);
        if (next < 0)
        {
            return fromRequest;
        }

        var text = new StringBuilder(fromRequest.Length + 8);
        Span<byte> utf8 = stackalloc byte[2];
        var rest = fromRequest.AsSpan();
        while (next >= 0)
        {
            text.Append(rest[..next]);
            var length = Encoding.UTF8.GetBytes(rest.Slice(next, 1), utf8);
            foreach (var b in utf8[..length])
            {
                text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }

            rest = rest[(next + 1)..];
            next = rest.IndexOfAny(ControlChars);
        }

        return text.Append(rest).ToString();
    }
}
