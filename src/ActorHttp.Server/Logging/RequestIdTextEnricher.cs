using ActorHttp.Handlers;
using Serilog.Core;
using Serilog.Events;

namespace ActorHttp.Server.Logging;

/// <summary>
/// For the text console only: a line a handler logged for a request (with the properties
/// <c>RequestId</c> and/or <c>TraceId</c>) gets <see cref="PropertyName"/>, such as
/// <c> (request ID, trace TRACEID)</c>, which the output template puts after the message; other
/// lines get nothing. An output template has no conditionals, and the id stays out of the message
/// itself, so JSON and every other sink see it only as the properties.
/// </summary>
internal sealed class RequestIdTextEnricher : ILogEventEnricher
{
    /// <summary>The property the text template shows after the message.</summary>
    public const string PropertyName = "RequestSuffix";

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        var requestId = Text(logEvent, RequestLogProperties.RequestId);
        var traceId = Text(logEvent, RequestLogProperties.TraceId);
        var suffix = (requestId, traceId) switch
        {
            (null, null) => null,
            (not null, null) => $" (request {requestId})",
            (null, not null) => $" (trace {traceId})",
            _ => $" (request {requestId}, trace {traceId})",
        };
        if (suffix is not null)
        {
            logEvent.AddPropertyIfAbsent(new LogEventProperty(PropertyName, new ScalarValue(suffix)));
        }
    }

    private static string? Text(LogEvent logEvent, string property) =>
        logEvent.Properties.TryGetValue(property, out var value) && value is ScalarValue { Value: { } scalar } ? scalar.ToString() : null;
}
