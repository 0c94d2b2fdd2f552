using System.Globalization;
using Akka.Configuration;

namespace ActorHttp.Observability;

/// <summary>
/// What the server tells about itself (<c>actorhttp.metrics</c>, <c>actorhttp.telemetry</c>,
/// <c>actorhttp.health</c>, <c>actorhttp.server.trusted-proxies</c>), read once at start.
/// </summary>
public sealed record ObservabilitySettings
{
    /// <summary><c>actorhttp.metrics.enabled</c>: Prometheus text at <see cref="MetricsPath"/>.</summary>
    public bool MetricsEnabled { get; init; }

    /// <summary><c>actorhttp.metrics.port</c>: a listener of its own for <see cref="MetricsPath"/> (0: any free port); null: the server's own listener.</summary>
    public int? MetricsPort { get; init; }

    public string MetricsPath { get; init; } = "/metrics";

    /// <summary><c>actorhttp.telemetry.request-id</c>: take or make <c>X-Request-Id</c>, echo it, log it.</summary>
    public bool RequestIds { get; init; } = true;

    /// <summary><c>actorhttp.telemetry.otlp-endpoint</c>: where traces and metrics are exported over OTLP; empty for nowhere.</summary>
    public string OtlpEndpoint { get; init; } = string.Empty;

    /// <summary>
    /// <c>actorhttp.telemetry.otlp-protocol</c>: <c>grpc</c> (the collector's port 4317) or
    /// <c>http/protobuf</c> (port 4318; the signal's path, <c>/v1/traces</c> or <c>/v1/metrics</c>,
    /// is added to <see cref="OtlpEndpoint"/>), the values of OpenTelemetry's <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>.
    /// </summary>
    public string OtlpProtocol { get; init; } = "grpc";

    /// <summary>
    /// <c>actorhttp.telemetry.sampling-ratio</c>: the share of traces started here that are recorded
    /// and exported (0 to 1, by trace id), when the request carries no sampling decision of its
    /// own; a client's or proxy's <c>traceparent</c> decides for its trace (see <see cref="ServerTracing.Sampler"/>).
    /// </summary>
    public double SamplingRatio { get; init; } = DefaultSamplingRatio;

    /// <summary>One trace in ten: see <c>actorhttp.telemetry.sampling-ratio</c> in hocon/actorhttp.conf for why.</summary>
    public const double DefaultSamplingRatio = 0.1;

    /// <summary><c>actorhttp.telemetry.service-name</c>: the OpenTelemetry <c>service.name</c> of what is exported.</summary>
    public string ServiceName { get; init; } = "actorhttp";

    public bool HealthEnabled { get; init; } = true;
    public string LivePath { get; init; } = "/healthz";
    public string ReadyPath { get; init; } = "/readyz";

    /// <summary><c>actorhttp.health.drain-delay</c>: how long <see cref="ReadyPath"/> answers 503 on SIGTERM while the server still serves, before it stops accepting.</summary>
    public TimeSpan DrainDelay { get; init; } = TimeSpan.Zero;

    public TrustedProxies TrustedProxies { get; init; } = TrustedProxies.None;

    public static ObservabilitySettings FromConfig(Config root)
    {
        var metrics = root.GetConfig("actorhttp.metrics") ?? throw new ConfigurationException("Missing actorhttp.metrics section");
        var telemetry = root.GetConfig("actorhttp.telemetry") ?? throw new ConfigurationException("Missing actorhttp.telemetry section");
        var health = root.GetConfig("actorhttp.health") ?? throw new ConfigurationException("Missing actorhttp.health section");
        var settings = new ObservabilitySettings
        {
            MetricsEnabled = Read(metrics, "metrics.enabled", static (c, k) => c.GetBoolean(k)),
            MetricsPort = ParsePort(metrics.GetString("port", string.Empty)),
            MetricsPath = metrics.GetString("path", "/metrics"),
            RequestIds = Read(telemetry, "telemetry.request-id", static (c, k) => c.GetBoolean(k)),
            OtlpEndpoint = telemetry.GetString("otlp-endpoint", string.Empty),
            OtlpProtocol = telemetry.GetString("otlp-protocol", "grpc"),
            SamplingRatio = Read(telemetry, "telemetry.sampling-ratio", static (c, k) => c.GetDouble(k)),
            ServiceName = telemetry.GetString("service-name", "actorhttp"),
            HealthEnabled = Read(health, "health.enabled", static (c, k) => c.GetBoolean(k)),
            LivePath = health.GetString("live-path", "/healthz"),
            ReadyPath = health.GetString("ready-path", "/readyz"),
            DrainDelay = Read(health, "health.drain-delay", static (c, k) => c.GetTimeSpan(k)),
            TrustedProxies = TrustedProxies.Parse(root.GetStringList("actorhttp.server.trusted-proxies") ?? []),
        };
        settings.Validate();
        return settings;
    }

    public void Validate()
    {
        Require(MetricsPath.StartsWith('/'), "actorhttp.metrics.path must start with /");
        Require(LivePath.StartsWith('/') && ReadyPath.StartsWith('/'), "actorhttp.health.live-path and ready-path must start with /");
        Require(LivePath != ReadyPath, "actorhttp.health.live-path and ready-path must differ");
        Require(DrainDelay >= TimeSpan.Zero, "actorhttp.health.drain-delay must not be negative");
        Require(SamplingRatio is >= 0 and <= 1, $"actorhttp.telemetry.sampling-ratio must be between 0 and 1 (a share of traces), not {SamplingRatio.ToString(CultureInfo.InvariantCulture)}");
        Require(OtlpProtocol is "grpc" or "http/protobuf", $"actorhttp.telemetry.otlp-protocol must be grpc or http/protobuf, not \"{OtlpProtocol}\"");
        Require(OtlpEndpoint.Length == 0 || Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https", "actorhttp.telemetry.otlp-endpoint must be empty or an http(s) URL such as http://localhost:4317");
    }

    private static int? ParsePort(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port
            : throw new ConfigurationException($"actorhttp.metrics.port must be empty (the server's own port) or a port number, not \"{value}\"");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ConfigurationException(message);
        }
    }

    private static T Read<T>(Config config, string key, Func<Config, string, T> read)
    {
        try
        {
            return read(config, key[(key.IndexOf('.') + 1)..]);
        }
        catch (Exception error) when (error is FormatException or OverflowException or InvalidCastException or NotSupportedException)
        {
            throw new ConfigurationException($"actorhttp.{key} has an invalid value: {error.Message}");
        }
    }
}
