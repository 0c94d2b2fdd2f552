using ActorHttp.Actors;
using Akka.Event;

namespace ActorHttp.Handlers;

/// <summary>
/// A handler's <see cref="HttpHandlerActor.Log"/>: Akka's own logging adapter, which, while the
/// handler works on a request, adds the structured properties <see cref="RequestLogProperties"/>
/// (<c>RequestId</c>, its <c>X-Request-Id</c> when request ids are on; <c>TraceId</c> when it is
/// traced) to every line. They travel as Akka's log context (<see cref="LoggingExtensions.WithContext"/>) on the
/// log event itself, so they survive the hop to the logger actor's thread, where Akka.Hosting's
/// logger-factory bridge hands them to Serilog as properties; a Serilog <c>LogContext</c> pushed on
/// the handler's thread would not reach there.
/// </summary>
/// <remarks>
/// Only the handler's own thread uses this. The adapter with the request's properties is made the
/// first time a line is logged for that request, so a handler that does not log pays nothing.
/// </remarks>
internal sealed class RequestScopedLogging(ILoggingAdapter log)
{
    private RequestTelemetry? _request;
    private ILoggingAdapter? _requestLog;

    /// <summary>The adapter to log through now: with the current request's properties while there is one.</summary>
    public ILoggingAdapter Current => _request is { } request ? _requestLog ??= ForRequest(request) : log;

    /// <summary>What the handler works on from now until the next call: <paramref name="request"/>'s telemetry, or null (no request).</summary>
    public void WorkOn(RequestTelemetry? request)
    {
        if (ReferenceEquals(request, _request))
        {
            return;
        }

        // Telemetry with nothing to add (request ids off, not traced) logs like no request at all.
        _request = request is not null && (request.RequestId is not null || request.Trace.TraceId != default) ? request : null;
        _requestLog = null;
    }

    private ILoggingAdapter ForRequest(RequestTelemetry request)
    {
        var scoped = log;
        if (request.RequestId is { } id)
        {
            scoped = scoped.WithContext(RequestLogProperties.RequestId, id);
        }

        if (request.Trace.TraceId != default)
        {
            scoped = scoped.WithContext(RequestLogProperties.TraceId, request.Trace.TraceId.ToHexString());
        }

        return scoped;
    }
}
