using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ActorHttp.Actors;
using ActorHttp.Cluster;
using ActorHttp.Handlers.Auth;
using ActorHttp.Observability;
using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Event;
using Akka.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace ActorHttp.Hosting;

/// <summary>Marker types under which the server's actors are kept in Akka.Hosting's registry.</summary>
public sealed class ListenerKey;

public sealed class RouterKey;

public static class AkkaBuilderExtensions
{
    /// <summary>
    /// Adds the HTTP server to an Akka.Hosting actor system: starts the router (with a supervisor per
    /// route) and the listener on <paramref name="listenSocket"/> (see <see cref="BindListenSocket"/>),
    /// and hooks graceful shutdown into CoordinatedShutdown. The listener owns the socket from then on.
    /// Handlers mapped by type (<c>routes.MapGet&lt;WeatherHandler&gt;(…)</c>) are built from the
    /// application's container, the one Akka.Hosting's <c>services.AddAkka</c> runs in.
    /// </summary>
    /// <param name="accessLog">Where the connections log each answered request; null for no access log. Its caller starts and stops it.</param>
    /// <param name="connectionLog">Where the connections' protocol cores log (refused requests, broken answers); nowhere when null.</param>
    /// <param name="observability">
    /// Metrics, traces, request ids, trusted proxies, <c>/metrics</c> and the health routes (see
    /// <see cref="ServerObservability"/>); null for none of them. The health routes run the checks of
    /// the container's <see cref="HealthCheckService"/> (<c>services.AddHealthChecks()</c>) tagged
    /// <see cref="HealthHandler.LiveTag"/> or <see cref="HealthHandler.ReadyTag"/>; this registers the
    /// server's own two through Akka.Hosting.
    /// </param>
    /// <param name="cluster">
    /// The cluster settings when <paramref name="routes"/> has sharded routes; their shard regions must
    /// have been added before (<see cref="ClusterHosting.WithActorHttpCluster"/>).
    /// </param>
    public static AkkaConfigurationBuilder WithActorHttpServer(
        this AkkaConfigurationBuilder builder,
        ServerSettings settings,
        IReadOnlyList<RouteRegistration> routes,
        Socket listenSocket,
        AuthSettings? auth = null,
        AccessLogWriter? accessLog = null,
        Serilog.ILogger? connectionLog = null,
        ServerObservability? observability = null,
        ClusterSettings? cluster = null)
    {
        // The drain phase must outlast the drain itself, or CoordinatedShutdown cuts it short.
        var phaseTimeout = (settings.ShutdownTimeout + TimeSpan.FromSeconds(1)).TotalMilliseconds.ToString(CultureInfo.InvariantCulture);
        builder.AddHocon($"akka.coordinated-shutdown.phases.service-requests-done.timeout = {phaseTimeout}ms", HoconAddMode.Prepend);
        if (observability is not null)
        {
            WithHealth(builder, observability);
        }

        return builder.WithActors((system, registry, resolver) =>
        {
            // Akka's timer wheel starts on first use and blocks its first callers until it runs. If
            // that first use were the idle timers of a burst of new connections, each would block a
            // pool thread and the server would stall until the pool grew: start it here instead.
            system.Scheduler.Advanced.ScheduleOnce(TimeSpan.Zero, static () => { });

            // Checked once here: a wrong path would otherwise fail every accepted connection.
            if (settings.ConnectionDispatcher.Length > 0 && !system.Dispatchers.HasDispatcher(settings.ConnectionDispatcher))
            {
                throw new Akka.Configuration.ConfigurationException(
                    $"actorhttp.server.connection-dispatcher: no dispatcher is configured at \"{settings.ConnectionDispatcher}\"");
            }

            // Handlers built from the application's services are resolved here, where the container
            // exists: a handler type it cannot serve fails the start rather than the router.
            var resolved = routes.Select(route => route with { Handler = route.Handler.PropsFor(system) }).ToArray();
            var served = observability is null ? resolved : [.. ObservabilityRoutes(observability, resolver, sameListener: true), .. resolved];
            // Akka.Hosting starts actors in the order they were added, so the regions are registered by now.
            var regions = routes.Select(r => r.Sharded).OfType<ShardedRoute>().DistinctBy(s => s.TypeName).ToDictionary(s => s.TypeName, s => s.Region(registry));
            var shardRegions = regions.Count == 0 ? ShardRegions.None : new ShardRegions(regions, (cluster ?? new ClusterSettings()).MaxRequestBodyBytes);
            var router = system.ActorOf(RouterActor.Props(served, settings.Supervision, auth, settings.Cors, settings.RateLimits, observability?.Metrics, shardRegions), "router");
            var listener = system.ActorOf(ListenerActor.Props(listenSocket, settings, router, new StreamedBodyRoutes(served), accessLog, connectionLog?.ForContext("SourceContext", "ActorHttp.Connection"), observability), "listener");
            if (observability?.MetricsSocket is { } metricsSocket)
            {
                // /metrics on a port of its own: a second listener and router serving that route
                // alone, unobserved (scrapes do not count themselves) and off the access log.
                var metricsRoutes = ObservabilityRoutes(observability, resolver, sameListener: false);
                var metricsRouter = system.ActorOf(RouterActor.Props(metricsRoutes, settings.Supervision), "metrics-router");
                system.ActorOf(ListenerActor.Props(metricsSocket, settings, metricsRouter, new StreamedBodyRoutes(metricsRoutes)), "metrics-listener");
            }

            if (observability is not null)
            {
                // Ready once the whole host has started (every hosted service), not merely the actors.
                if (resolver.GetService<IHostApplicationLifetime>() is { } lifetime)
                {
                    lifetime.ApplicationStarted.Register(observability.Readiness.MarkServing);
                }
                else
                {
                    observability.Readiness.MarkServing();
                }
            }

            registry.Register<RouterKey>(router);
            registry.Register<ListenerKey>(listener);

            var log = Logging.GetLogger(system, "ActorHttp.Shutdown");
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "actorhttp-drain", async () =>
            {
                try
                {
                    await listener.Ask<Drained>(Drain.Instance, settings.ShutdownTimeout).ConfigureAwait(false);
                    log.Info("All connections closed");
                }
                catch (AskTimeoutException)
                {
                    log.Warning("Connections still open after {ShutdownTimeout}; closing them", settings.ShutdownTimeout);
                }

                return Akka.Done.Instance;
            });
        });
    }

    /// <summary>
    /// The server's two health checks, registered through Akka.Hosting (so they run in the
    /// application's <see cref="HealthCheckService"/> beside its own), and readiness going down on
    /// SIGTERM for <c>drain-delay</c> before the listener stops accepting.
    /// </summary>
    private static void WithHealth(AkkaConfigurationBuilder builder, ServerObservability observability)
    {
        var readiness = observability.Readiness;
        builder.WithHealthCheck(
            "actorhttp-live",
            (system, _, _) => Task.FromResult(system.WhenTerminated.IsCompleted ? HealthCheckResult.Unhealthy("the actor system has terminated") : HealthCheckResult.Healthy("the actor system is running")),
            tags: [HealthHandler.LiveTag]);
        builder.WithHealthCheck(
            "actorhttp-ready",
            (_, _, _) => Task.FromResult(HealthHandler.ReadinessResult(readiness)),
            tags: [HealthHandler.ReadyTag]);

        var delay = observability.Settings.DrainDelay;
        var phaseTimeout = (delay + TimeSpan.FromSeconds(1)).TotalMilliseconds.ToString(CultureInfo.InvariantCulture);
        builder.AddHocon($"akka.coordinated-shutdown.phases.before-service-unbind.timeout = {phaseTimeout}ms", HoconAddMode.Prepend);
        builder.AddStartup((system, _) =>
        {
            // Before the listener stops accepting (service-requests-done): load balancers polling
            // /readyz see 503 and stop sending new clients while this server still serves them.
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "actorhttp-not-ready", async () =>
            {
                readiness.MarkDraining();
                if (delay > TimeSpan.Zero)
                {
                    Logging.GetLogger(system, "ActorHttp.Shutdown").Info("Not ready any more; serving {DrainDelay} longer before draining", delay);
                    await Task.Delay(delay).ConfigureAwait(false);
                }

                return Akka.Done.Instance;
            });
            return Task.CompletedTask;
        });
    }

    /// <summary>The health routes and <c>/metrics</c>, for the server's own listener or the metrics port's.</summary>
    private static List<RouteRegistration> ObservabilityRoutes(ServerObservability observability, IDependencyResolver resolver, bool sameListener)
    {
        var settings = observability.Settings;
        var routes = new List<RouteRegistration>();
        string[] readMethods = ["GET", "HEAD"];
        if (sameListener && settings.HealthEnabled)
        {
            var checks = resolver.GetService<HealthCheckService>();
            routes.Add(new RouteRegistration(readMethods, settings.LivePath, HealthHandler.Props(HealthProbe.Live, checks, observability.Readiness), Instances: 1));
            routes.Add(new RouteRegistration(readMethods, settings.ReadyPath, HealthHandler.Props(HealthProbe.Ready, checks, observability.Readiness), Instances: 1));
        }

        if (observability.Exporter is { } exporter && sameListener == (observability.MetricsSocket is null))
        {
            routes.Add(new RouteRegistration(readMethods, settings.MetricsPath, MetricsHandler.Props(exporter), Instances: 1));
        }

        return routes;
    }

    /// <summary>
    /// Binds and listens on <c>host:port</c> before anything else starts, so a port in use or a bad
    /// address fails at once with a plain <see cref="SocketException"/>.
    /// </summary>
    public static Socket BindListenSocket(ServerSettings settings)
    {
        var address = IPAddress.TryParse(settings.Host, out var parsed)
            ? parsed
            : Dns.GetHostAddresses(settings.Host).OrderBy(a => a.AddressFamily == AddressFamily.InterNetworkV6).First();
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(new IPEndPoint(address, settings.Port));
            socket.Listen(settings.ListenBacklog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
