using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;

namespace ActorHttp.Protocol;

/// <summary>
/// The <c>Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n</c> line every response carries (RFC 9110 §6.6.1),
/// formatted once per second and shared by every connection, the way Kestrel's
/// <c>DateHeaderValueManager</c> and Cowboy's <c>cowboy_clock</c> do.
/// </summary>
public static class DateHeader
{
    private static readonly DateHeaderSource _system = new(TimeProvider.System);

    /// <summary>The whole line, CRLF included, for the current second.</summary>
    public static ReadOnlySpan<byte> Current => _system.Current;
}

/// <summary>
/// Holds the line for one second and swaps in a new one when the clock's second changes. The line
/// and its second live in one immutable object behind a single reference, so a reader never sees the
/// bytes of one second paired with another; two threads racing at a second boundary each format the
/// same text and the last write wins, which is harmless.
/// </summary>
internal sealed class DateHeaderSource(TimeProvider clock)
{
    // "Date: " + IMF-fixdate (29 characters, RFC 9110 §5.6.7) + CRLF.
    internal const int LineLength = 6 + 29 + 2;

    private static readonly StandardFormat _rfc1123 = new('R');

    private Snapshot? _snapshot;

    public byte[] Current
    {
        get
        {
            var now = clock.GetUtcNow();
            var second = now.UtcTicks / TimeSpan.TicksPerSecond;
            var snapshot = Volatile.Read(ref _snapshot);
            if (snapshot is null || snapshot.Second != second)
            {
                snapshot = new Snapshot(second, Format(now));
                Volatile.Write(ref _snapshot, snapshot);
            }

            return snapshot.Line;
        }
    }

    internal static byte[] Format(DateTimeOffset instant)
    {
        var line = new byte[LineLength];
        "Date: "u8.CopyTo(line);
        // The 'R' format is RFC 1123 in GMT, which is exactly IMF-fixdate; it needs no culture data.
        var formatted = Utf8Formatter.TryFormat(instant.UtcDateTime, line.AsSpan(6), out var written, _rfc1123);
        Debug.Assert(formatted && written == 29, "IMF-fixdate is always 29 characters long.");

        "\r\n"u8.CopyTo(line.AsSpan(6 + 29));
        return line;
    }

    private sealed record Snapshot(long Second, byte[] Line);
}
