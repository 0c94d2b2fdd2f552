using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ActorHttp.Actors;
using ActorHttp.Cluster;
using ActorHttp.Handlers.Auth;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;

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
    /// </summary>
    /// <param name="accessLog">Where the connections log each answered request; null for no access log. Its caller starts and stops it.</param>
    /// <param name="connectionLog">Where the connections' protocol cores log (refused requests, broken answers); nowhere when null.</param>
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
        ClusterSettings? cluster = null)
    {
        // The drain phase must outlast the drain itself, or CoordinatedShutdown cuts it short.
        var phaseTimeout = (settings.ShutdownTimeout + TimeSpan.FromSeconds(1)).TotalMilliseconds.ToString(CultureInfo.InvariantCulture);
        builder.AddHocon($"akka.coordinated-shutdown.phases.service-requests-done.timeout = {phaseTimeout}ms", HoconAddMode.Prepend);

        return builder.WithActors((system, registry) =>
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

            // Akka.Hosting starts actors in the order they were added, so the regions are registered by now.
            var regions = routes.Select(r => r.Sharded).OfType<ShardedRoute>().DistinctBy(s => s.TypeName).ToDictionary(s => s.TypeName, s => s.Region(registry));
            var shardRegions = regions.Count == 0 ? ShardRegions.None : new ShardRegions(regions, (cluster ?? new ClusterSettings()).MaxRequestBodyBytes);
            var router = system.ActorOf(RouterActor.Props(routes, settings.Supervision, auth, settings.Cors, settings.RateLimits, shardRegions), "router");
            var listener = system.ActorOf(ListenerActor.Props(listenSocket, settings, router, new StreamedBodyRoutes(routes), accessLog, connectionLog?.ForContext("SourceContext", "ActorHttp.Connection")), "listener");
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
