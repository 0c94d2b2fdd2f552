using System.Net.Sockets;

namespace ActorHttp.Observability;

/// <summary>
/// Everything a server's connections and routes need to be seen: its settings, its instruments,
/// its readiness, the Prometheus exporter and the metrics port's socket when configured. One per
/// server, made before the actors and shared by them (all thread-safe); the host disposes it.
/// </summary>
public sealed class ServerObservability : IDisposable
{
    /// <param name="metricsSocket">The bound socket of <c>actorhttp.metrics.port</c> (see <see cref="BindMetricsSocket"/>); null to serve <c>/metrics</c> on the server's own listener.</param>
    /// <param name="traceSampler">The sampler of the tracer provider that exports this server's traces, when the host made it (see <see cref="TraceSampler"/>).</param>
    public ServerObservability(ObservabilitySettings settings, ServerMetrics metrics, Socket? metricsSocket = null, RequestTraceSampler? traceSampler = null)
    {
        Settings = settings;
        Metrics = metrics;
        MetricsSocket = metricsSocket;
        TraceSampler = traceSampler;
        Exporter = settings.MetricsEnabled ? new PrometheusExporter(metrics.Meter) : null;
    }

    public ObservabilitySettings Settings { get; }

    public ServerMetrics Metrics { get; }

    public ServerReadiness Readiness { get; } = new();

    /// <summary>The Prometheus registry fed by the meter; null unless <c>actorhttp.metrics.enabled</c>.</summary>
    public PrometheusExporter? Exporter { get; }

    /// <summary>
    /// The sampler the connections ask before they make a request's activity, so an unrecorded
    /// request gets none; null when the application's own listeners decide (an activity for every
    /// request while anything listens). Set when the server exports its traces itself
    /// (<c>actorhttp.telemetry.otlp-endpoint</c>); it then decides for every listener of the source.
    /// </summary>
    public RequestTraceSampler? TraceSampler { get; }

    /// <summary>Where <c>/metrics</c> listens when it has a port of its own; the listener actor owns it once started.</summary>
    public Socket? MetricsSocket { get; }

    /// <summary>
    /// Binds <c>actorhttp.metrics.port</c> on the server's address (<c>actorhttp.server.host</c>), or
    /// returns null when metrics are off or share the server's port: done before anything starts,
    /// so a port in use fails the start at once.
    /// </summary>
    public static Socket? BindMetricsSocket(ObservabilitySettings settings, ActorHttp.Actors.ServerSettings server) =>
        settings is { MetricsEnabled: true, MetricsPort: { } port }
            ? ActorHttp.Hosting.AkkaBuilderExtensions.BindListenSocket(server with { Port = port, ListenBacklog = 16 })
            : null;

    /// <summary>Whether the route with template <paramref name="route"/> is kept off the access log (the health probes: a line every few seconds per probe says nothing).</summary>
    public bool IsUnlogged(string? route) =>
        route is not null && Settings.HealthEnabled && (route == Settings.LivePath || route == Settings.ReadyPath);

    public void Dispose()
    {
        Exporter?.Dispose();
        Metrics.Dispose();
    }
}
