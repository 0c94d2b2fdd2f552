using System.Globalization;
using ActorHttp.Protocol;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace ActorHttp.Hosting;

/// <summary>
/// Writes access-log events as text, character for character what Serilog's template formatter
/// writes for <paramref name="outputTemplate"/>, about three times faster: the fields are written
/// straight from the event's properties instead of walking two templates. Any other event goes to
/// Serilog's formatter. Only templates of the two shapes the server uses are understood: a
/// timestamp, optionally the level and source context, then the message.
/// </summary>
/// <param name="outputTemplate">The template this formatter stands for; its other events use it.</param>
/// <param name="timestampFormat">The format of the leading <c>{Timestamp:…}</c> in <paramref name="outputTemplate"/>.</param>
/// <param name="levelAndSource">Whether <paramref name="outputTemplate"/> writes <c>[TIME LVL] SOURCE: </c> (the console's) rather than <c>TIME </c>.</param>
public sealed class AccessLogTextFormatter(string outputTemplate, string timestampFormat, bool levelAndSource) : ITextFormatter
{
    private readonly MessageTemplateTextFormatter _general = new(outputTemplate);

    public void Format(LogEvent logEvent, TextWriter output)
    {
        var withIds = ReferenceEquals(logEvent.MessageTemplate, AccessLogEvents.TemplateWithIds);
        if (!withIds && !ReferenceEquals(logEvent.MessageTemplate, AccessLogEvents.Template))
        {
            _general.Format(logEvent, output);
            return;
        }

        var properties = logEvent.Properties;
        WriteLine(
            output,
            logEvent.Timestamp,
            Text(properties["ClientAddress"]),
            Text(properties["Method"]),
            Text(properties["Target"]),
            Text(properties["Protocol"]),
            (int)Value(properties["Status"]),
            (long)Value(properties["Bytes"]),
            Text(properties["Referer"]),
            Text(properties["UserAgent"]),
            (double)Value(properties["DurationMs"]),
            (long)Value(properties["ConnectionId"]),
            withIds ? Text(properties["RequestId"]) : null,
            withIds ? Text(properties["TraceId"]) : null);
    }

    /// <summary>
    /// The line of <paramref name="entry"/>, written straight from it: the same text as
    /// <see cref="AccessLogEvents.Create"/>'s event formatted by <see cref="Format(LogEvent, TextWriter)"/>,
    /// without building the event (its property table is most of what a line would allocate).
    /// </summary>
    public void Format(in AccessLogEntry entry, DateTimeOffset timestamp, TextWriter output)
    {
        Span<char> client = stackalloc char[64];
        var clientLength = 1;
        if (entry.Client is null || !entry.Client.TryFormat(client, out clientLength))
        {
            client[0] = '-';
            clientLength = 1;
        }

        WriteLine(
            output,
            timestamp,
            client[..clientLength],
            entry.Method,
            AccessLogEvents.Escape(entry.Target),
            entry.Version.ToText(),
            entry.Status,
            entry.Bytes,
            entry.Referer is null ? "-" : AccessLogEvents.Escape(entry.Referer),
            entry.UserAgent is null ? "-" : AccessLogEvents.Escape(entry.UserAgent),
            AccessLogEvents.DurationMs(entry),
            entry.ConnectionId,
            entry.HasIds ? entry.RequestId ?? "-" : null,
            entry.HasIds ? entry.TraceId ?? "-" : null);
    }

    private void WriteLine(
        TextWriter output,
        DateTimeOffset timestamp,
        ReadOnlySpan<char> client,
        ReadOnlySpan<char> method,
        ReadOnlySpan<char> target,
        ReadOnlySpan<char> protocol,
        int status,
        long bytes,
        ReadOnlySpan<char> referer,
        ReadOnlySpan<char> userAgent,
        double durationMs,
        long connectionId,
        string? requestId,
        string? traceId)
    {
        Span<char> buffer = stackalloc char[64];
        if (levelAndSource)
        {
            output.Write('[');
        }

        Write(output, timestamp, buffer, timestampFormat);
        output.Write(levelAndSource ? " INF] " + AccessLogEvents.SourceContext + ": " : " ");
        output.Write(client);
        output.Write(" - - \"");
        output.Write(method);
        output.Write(' ');
        output.Write(target);
        output.Write(' ');
        output.Write(protocol);
        output.Write("\" ");
        Write(output, status, buffer);
        output.Write(' ');
        Write(output, bytes, buffer);
        output.Write(" \"");
        output.Write(referer);
        output.Write("\" \"");
        output.Write(userAgent);
        output.Write("\" ");
        Write(output, durationMs, buffer);
        output.Write(" ms, connection ");
        Write(output, connectionId, buffer);
        if (requestId is not null)
        {
            output.Write(", request ");
            output.Write(requestId);
            output.Write(", trace ");
            output.Write(traceId);
        }

        output.WriteLine();
    }

    private static string Text(LogEventPropertyValue value) => (string)Value(value);

    private static object Value(LogEventPropertyValue value) => ((ScalarValue)value).Value!;

    /// <summary>A number or the timestamp, formatted into <paramref name="buffer"/> (a string only when it does not fit).</summary>
    private static void Write<T>(TextWriter output, T value, Span<char> buffer, string? format = null)
        where T : ISpanFormattable
    {
        if (value.TryFormat(buffer, out var written, format, CultureInfo.CurrentCulture))
        {
            output.Write(buffer[..written]);
        }
        else
        {
            output.Write(value.ToString(format, CultureInfo.CurrentCulture));
        }
    }
}
