using System.Buffers;
using System.Diagnostics;
using IPAddress = System.Net.IPAddress;
using ActorHttp.Protocol;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace ActorHttp.Hosting;

/// <summary>
/// Turns access-log entries into Serilog events with the fields of nginx's <c>combined</c> format,
/// under the source context <c>ActorHttp.AccessLog</c>. Values that repeat from one request to the
/// next (method, status, client, target, User-Agent) reuse their last property value, so most lines
/// allocate only the event, its property table and the three numbers that change. One thread only.
/// </summary>
public sealed class AccessLogEvents
{
    public const string SourceContext = "ActorHttp.AccessLog";

    public static readonly MessageTemplate Template = new MessageTemplateParser().Parse(
        "{ClientAddress} - - \"{Method} {Target} {Protocol}\" {Status} {Bytes} \"{Referer}\" \"{UserAgent}\" {DurationMs} ms, connection {ConnectionId}");

    /// <summary>The line of a request with an id or a trace: the same, then <c>, request ID, trace TRACEID</c> (<c>-</c> for the one missing).</summary>
    public static readonly MessageTemplate TemplateWithIds = new MessageTemplateParser().Parse(
        "{ClientAddress} - - \"{Method} {Target} {Protocol}\" {Status} {Bytes} \"{Referer}\" \"{UserAgent}\" {DurationMs} ms, connection {ConnectionId}, request {RequestId}, trace {TraceId}");

    private static readonly ScalarValue SourceContextValue = new(SourceContext);
    private static readonly ScalarValue Absent = new("-");
    private static readonly ScalarValue Http10 = new(HttpVersion.Http10.ToText());
    private static readonly ScalarValue Http11 = new(HttpVersion.Http11.ToText());

    // nginx escapes these in its log lines so that a field cannot fake the end of another.
    private static readonly SearchValues<char> NeedEscaping = SearchValues.Create("\"\\");

    private readonly ScalarValue?[] _statuses = new ScalarValue?[600];
    private (IPAddress? Raw, ScalarValue Value) _client = (null, Absent);
    private (string? Raw, ScalarValue Value) _method = (null, Absent);
    private (string? Raw, ScalarValue Value) _target = (null, Absent);
    private (string? Raw, ScalarValue Value) _referer = (null, Absent);
    private (string? Raw, ScalarValue Value) _userAgent = (null, Absent);

    /// <summary>The event of <paramref name="entry"/>; <paramref name="timestamp"/> is when its answer was written.</summary>
    public LogEvent Create(in AccessLogEntry entry, DateTimeOffset timestamp)
    {
        // Sized once and handed over as the event's own table: the constructor taking properties
        // would grow a dictionary three times over for these eleven.
        var properties = new Dictionary<string, LogEventPropertyValue>(entry.HasIds ? 13 : 11)
        {
            [Constants.SourceContextPropertyName] = SourceContextValue,
            ["ClientAddress"] = Client(entry.Client),
            ["Method"] = Reuse(ref _method, entry.Method, escape: false),
            ["Target"] = Reuse(ref _target, entry.Target, escape: true),
            ["Protocol"] = entry.Version == HttpVersion.Http10 ? Http10 : Http11,
            ["Status"] = Status(entry.Status),
            ["Bytes"] = new ScalarValue(entry.Bytes),
            ["Referer"] = entry.Referer is null ? Absent : Reuse(ref _referer, entry.Referer, escape: true),
            ["UserAgent"] = entry.UserAgent is null ? Absent : Reuse(ref _userAgent, entry.UserAgent, escape: true),
            ["DurationMs"] = new ScalarValue(DurationMs(entry)),
            ["ConnectionId"] = new ScalarValue(entry.ConnectionId),
        };
        if (entry.HasIds)
        {
            // Both are checked tokens (RequestIds) or hex digits: nothing to escape.
            properties["RequestId"] = entry.RequestId is null ? Absent : new ScalarValue(entry.RequestId);
            properties["TraceId"] = entry.TraceId is null ? Absent : new ScalarValue(entry.TraceId);
        }

        return LogEvent.UnstableAssembleFromParts(timestamp, LogEventLevel.Information, null, entry.HasIds ? TemplateWithIds : Template, properties, default, default);
    }

    /// <summary>How long the request took, from its parse to its answer written out, in milliseconds to the microsecond.</summary>
    public static double DurationMs(in AccessLogEntry entry) =>
        Math.Round(Stopwatch.GetElapsedTime(entry.StartTimestamp, entry.EndTimestamp).TotalMilliseconds, 3);

    /// <summary>nginx's escaping: <c>"</c> and <c>\</c> as <c>\x22</c> and <c>\x5C</c>; a value without them is returned as is.</summary>
    public static string Escape(string value) =>
        value.AsSpan().ContainsAny(NeedEscaping) ? value.Replace("\\", "\\x5C", StringComparison.Ordinal).Replace("\"", "\\x22", StringComparison.Ordinal) : value;

    // The parser hands out the same string instance for a value repeated on a connection, and most
    // consecutive lines come from the same few clients: comparing references is enough to hit.
    private static ScalarValue Reuse(ref (string? Raw, ScalarValue Value) last, string raw, bool escape)
    {
        if (!ReferenceEquals(last.Raw, raw) && last.Raw != raw)
        {
            last = (raw, new ScalarValue(escape ? Escape(raw) : raw));
        }

        return last.Value;
    }

    private ScalarValue Client(IPAddress? client)
    {
        if (client is null)
        {
            return Absent;
        }

        if (!client.Equals(_client.Raw))
        {
            _client = (client, new ScalarValue(client.ToString()));
        }

        return _client.Value;
    }

    private ScalarValue Status(int status) =>
        (uint)status < (uint)_statuses.Length ? _statuses[status] ??= new ScalarValue(status) : new ScalarValue(status);
}
