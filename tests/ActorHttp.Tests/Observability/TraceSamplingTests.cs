using System.Diagnostics;
using ActorHttp.Hosting;
using ActorHttp.Observability;
using Akka.Configuration;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace ActorHttp.Tests.Observability;

/// <summary>
/// <c>actorhttp.telemetry.sampling-ratio</c>: its parsing and default, and the sampler it makes
/// (OpenTelemetry's ParentBased(TraceIdRatioBased)) as the request activities meet it.
/// </summary>
[Collection(ActivityListenerCollection.Name)]
public sealed class TraceSamplingTests
{
    private static readonly IReadOnlyDictionary<string, string> NoEnvironment = new Dictionary<string, string>();

    [Fact]
    public void The_default_ratio_is_one_trace_in_ten()
    {
        var settings = ObservabilitySettings.FromConfig(ServerConfiguration.Load(environment: NoEnvironment));

        Assert.Equal(0.1, settings.SamplingRatio);
        Assert.Equal(ObservabilitySettings.DefaultSamplingRatio, settings.SamplingRatio);
    }

    [Theory]
    [InlineData("0", 0.0)]
    [InlineData("0.25", 0.25)]
    [InlineData("1", 1.0)]
    public void A_ratio_between_zero_and_one_is_taken(string value, double expected)
    {
        var settings = ObservabilitySettings.FromConfig(ServerConfiguration.Load(overrides: $"actorhttp.telemetry.sampling-ratio = {value}", environment: NoEnvironment));

        Assert.Equal(expected, settings.SamplingRatio);
    }

    [Theory]
    [InlineData("1.5", "actorhttp.telemetry.sampling-ratio must be between 0 and 1")]
    [InlineData("-0.1", "actorhttp.telemetry.sampling-ratio must be between 0 and 1")]
    [InlineData("often", "actorhttp.telemetry.sampling-ratio has an invalid value")]
    public void A_ratio_outside_zero_to_one_or_not_a_number_is_refused_naming_the_key(string value, string message)
    {
        var error = Assert.Throws<ConfigurationException>(() =>
            ObservabilitySettings.FromConfig(ServerConfiguration.Load(overrides: $"actorhttp.telemetry.sampling-ratio = {value}", environment: NoEnvironment)));

        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void A_sampled_parent_is_followed_even_at_ratio_zero()
    {
        var decision = Decide(ServerTracing.Sampler(0), Parent(ActivityTraceFlags.Recorded));

        Assert.Equal(SamplingDecision.RecordAndSample, decision);
    }

    [Fact]
    public void An_unsampled_parent_is_followed_even_at_ratio_one()
    {
        var decision = Decide(ServerTracing.Sampler(1), Parent(ActivityTraceFlags.None));

        Assert.Equal(SamplingDecision.Drop, decision);
    }

    [Fact]
    public void A_trace_started_here_is_recorded_by_the_ratio()
    {
        Assert.Equal(SamplingDecision.RecordAndSample, Decide(ServerTracing.Sampler(1), default));
        Assert.Equal(SamplingDecision.Drop, Decide(ServerTracing.Sampler(0), default));

        // At 0.5 the decision follows the trace id, so about half of many traces are recorded.
        var sampler = ServerTracing.Sampler(0.5);
        var recorded = Enumerable.Range(0, 2000).Count(_ => Decide(sampler, default) == SamplingDecision.RecordAndSample);
        Assert.InRange(recorded, 800, 1200);
    }

    [Fact]
    public void Without_the_servers_sampler_every_request_gets_an_activity_and_an_unrecorded_one_carries_ids_but_no_tags()
    {
        // The application's own listeners decide (no OTLP endpoint of the server's): here an SDK provider that records nothing it starts.
        using var provider = Sdk.CreateTracerProviderBuilder().AddServerTracing(ServerTracing.Sampler(0)).Build();
        var traceId = ActivityTraceId.CreateRandom();

        var followed = ServerTracing.StartRequest("GET", "/hello", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01", null, null);
        var started = ServerTracing.StartRequest("GET", "/hello", null, null, null);
        using var followedActivity = followed.Activity;
        using var startedActivity = started.Activity;

        Assert.NotNull(followedActivity);
        Assert.True(followedActivity.Recorded);
        Assert.Equal(traceId, followedActivity.TraceId);
        Assert.Equal(followedActivity.Context, followed.Context);
        Assert.Equal("/hello", followedActivity.GetTagItem("url.path"));
        Assert.NotNull(startedActivity);
        Assert.False(startedActivity.Recorded);
        Assert.False(startedActivity.IsAllDataRequested);
        Assert.NotEqual(default, startedActivity.TraceId);
        Assert.Null(startedActivity.GetTagItem("url.path"));
        Assert.Null(Activity.Current);
    }

    [Fact]
    public void With_the_servers_sampler_a_request_it_drops_gets_ids_and_no_activity_and_one_it_keeps_a_recorded_activity()
    {
        var sampler = ServerTracing.Sampler(0);
        using var provider = Sdk.CreateTracerProviderBuilder().AddServerTracing(sampler).Build();
        var sampledParent = $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01";
        var unsampledTrace = ActivityTraceId.CreateRandom();
        var unsampledSpan = ActivitySpanId.CreateRandom();

        var followed = ServerTracing.StartRequest("GET", "/hello", sampledParent, null, null, sampler);
        var dropped = ServerTracing.StartRequest("GET", "/hello", null, null, null, sampler);
        var notSampledUpstream = ServerTracing.StartRequest("GET", "/hello", $"00-{unsampledTrace.ToHexString()}-{unsampledSpan.ToHexString()}-00", "vendor=1", null, sampler);
        using var followedActivity = followed.Activity;

        Assert.NotNull(followedActivity);
        Assert.True(followedActivity.Recorded);
        Assert.Equal("/hello", followedActivity.GetTagItem("url.path"));

        // A trace started here and dropped: a trace id and a span id of its own, marked not sampled, and nothing else.
        Assert.Null(dropped.Activity);
        Assert.False(dropped.IsNone);
        Assert.NotEqual(default, dropped.Context.TraceId);
        Assert.NotEqual(default, dropped.Context.SpanId);
        Assert.Equal(ActivityTraceFlags.None, dropped.Context.TraceFlags);

        // The caller's unsampled trace goes on, with this server's span id and the caller's trace state.
        Assert.Null(notSampledUpstream.Activity);
        Assert.Equal(unsampledTrace, notSampledUpstream.Context.TraceId);
        Assert.NotEqual(unsampledSpan, notSampledUpstream.Context.SpanId);
        Assert.Equal("vendor=1", notSampledUpstream.Context.TraceState);
        Assert.Equal(ActivityTraceFlags.None, notSampledUpstream.Context.TraceFlags);
        Assert.Null(Activity.Current);
    }

    [Fact]
    public void The_servers_sampler_decides_once_so_every_activity_it_lets_be_made_is_recorded_and_they_are_the_ratio()
    {
        // Were the SDK to sample the activity again by its own new trace id, about half of those
        // made at 0.5 would be unrecorded, and a quarter of the requests recorded.
        var sampler = ServerTracing.Sampler(0.5);
        using var provider = Sdk.CreateTracerProviderBuilder().AddServerTracing(sampler).Build();

        var traces = Enumerable.Range(0, 2000).Select(_ => ServerTracing.StartRequest("GET", "/hello", null, null, null, sampler)).ToList();
        var activities = traces.Where(trace => trace.Activity is not null).Select(trace => trace.Activity!).ToList();
        foreach (var activity in activities)
        {
            activity.Dispose();
        }

        Assert.All(activities, activity => Assert.True(activity.Recorded));
        Assert.InRange(activities.Count, 800, 1200);
        Assert.All(traces, trace => Assert.False(trace.IsNone));
    }

    private static ActivityContext Parent(ActivityTraceFlags flags) =>
        new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), flags, isRemote: true);

    private static SamplingDecision Decide(Sampler sampler, ActivityContext parent) =>
        sampler.ShouldSample(new SamplingParameters(parent, parent == default ? ActivityTraceId.CreateRandom() : parent.TraceId, "GET", ActivityKind.Server)).Decision;
}

/// <summary>Tests that listen to the <c>ActorHttp</c> activity source: one at a time, since a listener sees every activity in the process and the most generous sampling decision wins.</summary>
[CollectionDefinition(Name)]
public sealed class ActivityListenerCollection
{
    public const string Name = "Activity listeners";
}
