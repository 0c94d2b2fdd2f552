using System.Diagnostics;
using OpenTelemetry.Trace;

namespace ActorHttp.Observability;

/// <summary>
/// The sampler of the request traces a server exports itself (<c>actorhttp.telemetry.otlp-endpoint</c>):
/// OpenTelemetry's <c>ParentBased(TraceIdRatioBased(ratio))</c>, asked by the connection before any
/// activity exists. A request it drops gets no <see cref="Activity"/> at all, only the ids a trace
/// needs (its trace id, a span id of its own, the flag "not sampled"), which go on to the handler,
/// the proxy's <c>traceparent</c> and the access log as before. With the shipped ratio of one in ten,
/// that spares nine requests in ten the activity's allocation, its start and stop, the four
/// <see cref="Activity.Current"/> writes around them and the SDK's own sampling call.
/// </summary>
/// <remarks>
/// The SDK consults its sampler again when the connection starts an activity it decided to record;
/// this sampler then answers "record" (a flag on the connection's thread, set only around that
/// start), so the decision is made once. Any other activity it is asked about gets the plain
/// <c>ParentBased(TraceIdRatioBased(ratio))</c> answer. A trace started here is decided on the trace
/// id it would carry; when recorded, the SDK gives the activity a trace id of its own, so the
/// recorded share is the ratio, but the recorded trace's id is not the one the decision was made on.
/// Downstream services follow the sampled flag of our <c>traceparent</c>, as parent-based samplers do.
/// </remarks>
public sealed class RequestTraceSampler : Sampler
{
    [ThreadStatic]
    private static bool t_decidedToRecord;

    private readonly Sampler _ratio;

    public RequestTraceSampler(double ratio)
    {
        _ratio = new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio));
        Description = $"ActorHttp request sampler ({_ratio.Description})";
    }

    /// <summary>Whether a request with parent <paramref name="parent"/> (default: none) is recorded; <paramref name="traceId"/> is the trace it belongs to (the parent's, or a new one).</summary>
    public bool ShouldRecord(in ActivityContext parent, ActivityTraceId traceId, string name) =>
        _ratio.ShouldSample(new SamplingParameters(parent, traceId, name, ActivityKind.Server)).Decision == SamplingDecision.RecordAndSample;

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        t_decidedToRecord ? new SamplingResult(SamplingDecision.RecordAndSample) : _ratio.ShouldSample(samplingParameters);

    /// <summary>Starts the activity of a request this sampler decided to record.</summary>
    internal static Activity? StartRecorded(ActivitySource source, string name, in ActivityContext parent)
    {
        t_decidedToRecord = true;
        try
        {
            return source.StartActivity(name, ActivityKind.Server, parent);
        }
        finally
        {
            t_decidedToRecord = false;
        }
    }
}
