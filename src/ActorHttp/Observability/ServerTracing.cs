using System.Diagnostics;
using OpenTelemetry.Trace;

namespace ActorHttp.Observability;

/// <summary>
/// The activity source <c>ActorHttp</c>: one <see cref="ActivityKind.Server"/> activity per request,
/// made only while something listens (an OpenTelemetry tracer provider, an
/// <see cref="ActivityListener"/>), child of the W3C <c>traceparent</c> the request carries.
/// </summary>
public static class ServerTracing
{
    public const string SourceName = "ActorHttp";

    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";

    public static ActivitySource Source { get; } = new(SourceName, typeof(ServerTracing).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// Starts the activity of a request, or returns null when nobody samples it. It is not left as
    /// <see cref="Activity.Current"/>: the request lives on across actors and messages, not on this thread.
    /// </summary>
    public static Activity? StartRequest(string method, string path, string? traceParent, string? traceState, System.Net.IPAddress? client)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parent);
        var previous = Activity.Current;
        var activity = Source.StartActivity(method == "_OTHER" ? "HTTP" : method, ActivityKind.Server, parent);
        Activity.Current = previous;
        if (activity is null)
        {
            return null;
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

        return activity;
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

        var previous = Activity.Current;
        activity.Stop();
        Activity.Current = previous;
    }

    /// <summary>
    /// The sampler of the exported traces (<c>actorhttp.telemetry.sampling-ratio</c>): OpenTelemetry's
    /// <c>ParentBased(TraceIdRatioBased(ratio))</c>. A request whose <c>traceparent</c> carries a
    /// decision keeps it (sampled: recorded and exported whatever the ratio; not sampled: not
    /// recorded), so a trace is never exported in pieces; a request that starts a trace is recorded
    /// when its trace id falls in the ratio, the same decision every service of that trace makes.
    /// An unrecorded request still gets an activity (its ids go on to the handler, the proxy's
    /// <c>traceparent</c> and the access log) but no tags, and nothing is exported for it.
    /// </summary>
    public static Sampler Sampler(double ratio) => new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio));

    /// <summary>The request activities as OpenTelemetry's SDK takes them: the source <c>ActorHttp</c>, sampled as <paramref name="settings"/> say.</summary>
    internal static TracerProviderBuilder AddServerTracing(this TracerProviderBuilder tracing, ObservabilitySettings settings) =>
        tracing.SetSampler(Sampler(settings.SamplingRatio)).AddSource(SourceName);

    /// <summary>The W3C <c>traceparent</c> value naming <paramref name="context"/> as the parent of the next hop.</summary>
    public static string TraceParent(ActivityContext context) =>
        $"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{((context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00")}";
}
