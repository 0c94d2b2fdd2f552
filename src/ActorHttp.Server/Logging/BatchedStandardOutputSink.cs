using System.Text;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

using ActorHttp.Hosting;

namespace ActorHttp.Server.Logging;

/// <summary>
/// Standard output for the access log: events are formatted into a buffer and written out by
/// <see cref="Flush"/>, one write per batch. The console sink writes and flushes each event on its
/// own, a system call per request. Only the access log's one thread uses it.
/// </summary>
public sealed class BatchedStandardOutputSink(ITextFormatter formatter, Stream output) : ILogEventSink, IAccessLogLineOutput, IDisposable
{
    private readonly StringWriter _pending = new();
    private readonly Encoder _encoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetEncoder();
    private byte[] _bytes = [];

    /// <summary>Formats the event into the pending batch.</summary>
    public void Emit(LogEvent logEvent) => formatter.Format(logEvent, _pending);

    /// <summary>
    /// Writes an access-log line straight from its entry when the formatter is the text one (no
    /// event is built); false for another formatter (JSON takes events), which then gets the event.
    /// </summary>
    public bool TryWrite(in AccessLogEntry entry, DateTimeOffset timestamp)
    {
        if (formatter is not AccessLogTextFormatter text)
        {
            return false;
        }

        text.Format(entry, timestamp, _pending);
        return true;
    }

    /// <summary>Writes what was emitted since the last flush, whole lines in one write, so the other logs' lines never land inside one.</summary>
    public void Flush()
    {
        var text = _pending.GetStringBuilder();
        if (text.Length == 0)
        {
            return;
        }

        var length = 0;
        foreach (var chunk in text.GetChunks())
        {
            var needed = length + Encoding.UTF8.GetMaxByteCount(chunk.Length + 1);
            if (_bytes.Length < needed)
            {
                Array.Resize(ref _bytes, Math.Max(needed, _bytes.Length * 2));
            }

            // The encoder carries a character split across two chunks over to the next.
            length += _encoder.GetBytes(chunk.Span, _bytes.AsSpan(length), flush: false);
        }

        text.Clear();
        output.Write(_bytes, 0, length);
        output.Flush();
    }

    /// <summary>Writes what is pending and closes the output.</summary>
    public void Dispose()
    {
        Flush();
        output.Dispose();
    }
}
