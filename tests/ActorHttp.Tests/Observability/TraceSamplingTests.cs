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
    public void The_request_activities_follow_the_configured_sampler_and_an_unrecorded_one_carries_ids_but_no_tags()
    {
        var settings = new ObservabilitySettings { SamplingRatio = 0 };
        using var provider = Sdk.CreateTracerProviderBuilder().AddServerTracing(settings).Build();
        var traceId = ActivityTraceId.CreateRandom();

        using var followed = ServerTracing.StartRequest("GET", "/hello", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01", null, null);
        using var started = ServerTracing.StartRequest("GET", "/hello", null, null, null);

        Assert.NotNull(followed);
        Assert.True(followed.Recorded);
        Assert.Equal(traceId, followed.TraceId);
        Assert.Equal("/hello", followed.GetTagItem("url.path"));
        Assert.NotNull(started);
        Assert.False(started.Recorded);
        Assert.False(started.IsAllDataRequested);
        Assert.NotEqual(default, started.TraceId);
        Assert.Null(started.GetTagItem("url.path"));
        Assert.Null(Activity.Current);
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
