using System.Diagnostics;
using OpenTelemetry.Trace;

namespace ActorHttp.Observability;

/// <summary>
/// The activity source <c>ActorHttp</c>: one <see cref="ActivityKind.Server"/> activity per request,
/// made only while something listens (an OpenTelemetry tracer provider, an
/// <see cref="ActivityListener"/>) and, when the server exports its traces itself, only for the
/// requests its <see cref="RequestTraceSampler"/> records; child of the W3C <c>traceparent</c> the request carries.
/// </summary>
public static class ServerTracing
{
    public const string SourceName = "ActorHttp";

    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";

    public static ActivitySource Source { get; } = new(SourceName, typeof(ServerTracing).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// Starts the trace of a request: <see cref="RequestTrace.None"/> when nothing listens; with
    /// <paramref name="sampler"/> (the server exports its traces itself), no activity for a request it
    /// does not record, only the ids; otherwise an activity, whatever its listeners decide. The
    /// activity is not left as <see cref="Activity.Current"/>: the request lives on across actors and
    /// messages, not on this thread.
    /// </summary>
    public static RequestTrace StartRequest(string method, string path, string? traceParent, string? traceState, System.Net.IPAddress? client, RequestTraceSampler? sampler = null)
    {
        if (!Source.HasListeners())
        {
            return RequestTrace.None;
        }

        ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parent);
        var name = method == "_OTHER" ? "HTTP" : method;
        if (sampler is not null)
        {
            var traceId = parent == default ? ActivityTraceId.CreateRandom() : parent.TraceId;
            if (!sampler.ShouldRecord(parent, traceId, name))
            {
                return new RequestTrace(null, new ActivityContext(traceId, ActivitySpanId.CreateRandom(), ActivityTraceFlags.None, parent.TraceState));
            }
        }

        var previous = Activity.Current;
        var activity = sampler is null ? Source.StartActivity(name, ActivityKind.Server, parent) : RequestTraceSampler.StartRecorded(Source, name, parent);
        Activity.Current = previous;
        if (activity is null)
        {
            return RequestTrace.None;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag("http.request.method", method);
            activity.SetTag("url.path", path);
            activity.SetTag("url.scheme", "http");
            if (client is not null)
            {
                activity.SetTag("client.address", client.ToString());
            }
        }

        return new RequestTrace(activity, activity.Context);
    }

    /// <summary>Ends a request's activity: its name becomes <c>METHOD route</c> once the route is known, its status an error for 5xx (server-side spans only count those).</summary>
    public static void EndRequest(Activity activity, string method, string? route, int statusCode)
    {
        if (activity.IsAllDataRequested)
        {
            activity.SetTag("http.response.status_code", ServerMetrics.StatusCodeTag(statusCode));
            if (route is not null)
            {
                activity.SetTag("http.route", route);
                activity.DisplayName = method == "_OTHER" ? "HTTP " + route : method + " " + route;
            }

            if (statusCode >= 500)
            {
                activity.SetStatus(ActivityStatusCode.Error);
                activity.SetTag("error.type", statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        StopKeepingCurrent(activity);
    }

    /// <summary>Ends the activity of a request whose connection closed before its answer was written: an error.</summary>
    public static void AbandonRequest(Activity activity)
    {
        activity.SetStatus(ActivityStatusCode.Error, "the connection closed before the answer was written");
        StopKeepingCurrent(activity);
    }

    // Stop makes the activity's parent Current on this thread; the thread's own Current stays as it was.
    private static void StopKeepingCurrent(Activity activity)
    {
        var previous = Activity.Current;
        activity.Stop();
        Activity.Current = previous;
    }

    /// <summary>
    /// The sampler of the exported traces (<c>actorhttp.telemetry.sampling-ratio</c>): OpenTelemetry's
    /// <c>ParentBased(TraceIdRatioBased(ratio))</c>, decided by the connection before an activity is
    /// made (<see cref="RequestTraceSampler"/>). A request whose <c>traceparent</c> carries a decision
    /// keeps it (sampled: recorded and exported whatever the ratio; not sampled: not recorded), so a
    /// trace is never exported in pieces; a request that starts a trace is recorded at the ratio.
    /// An unrecorded request gets no activity, but its ids still go on to the handler, the proxy's
    /// <c>traceparent</c> and the access log; nothing is exported for it.
    /// </summary>
    public static RequestTraceSampler Sampler(double ratio) => new(ratio);

    /// <summary>The request activities as OpenTelemetry's SDK takes them: the source <c>ActorHttp</c>, sampled by <paramref name="sampler"/>.</summary>
    internal static TracerProviderBuilder AddServerTracing(this TracerProviderBuilder tracing, RequestTraceSampler sampler) =>
        tracing.SetSampler(sampler).AddSource(SourceName);

    /// <summary>The W3C <c>traceparent</c> value naming <paramref name="context"/> as the parent of the next hop.</summary>
    public static string TraceParent(ActivityContext context) =>
        $"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{((context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00")}";
}

/// <summary>
/// A request's trace: its activity when one was made (null when the sampler did not record it), and
/// the ids it carries on (trace id, its own span id, the sampled flag); <see cref="None"/> when
/// nothing listens to the request activities.
/// </summary>
public readonly record struct RequestTrace(Activity? Activity, ActivityContext Context)
{
    public static RequestTrace None => default;

    public bool IsNone => Context == default;
}
