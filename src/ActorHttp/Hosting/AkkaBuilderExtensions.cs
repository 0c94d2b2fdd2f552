using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ActorHttp.Actors;
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
    /// Adds the HTTP server to an Akka.Hosting actor system: binds the socket, starts the router (with
    /// a supervisor per route) and the listener, and hooks graceful shutdown into CoordinatedShutdown.
    /// The bound endpoint is reported through <paramref name="bound"/> (or its failure to bind).
    /// </summary>
    public static AkkaConfigurationBuilder WithActorHttpServer(
        this AkkaConfigurationBuilder builder,
        ServerSettings settings,
        IReadOnlyList<RouteRegistration> routes,
        TaskCompletionSource<IPEndPoint> bound)
    {
        // The drain phase must outlast the drain itself, or CoordinatedShutdown cuts it short.
        var phaseTimeout = (settings.ShutdownTimeout + TimeSpan.FromSeconds(1)).TotalMilliseconds.ToString(CultureInfo.InvariantCulture);
        builder.AddHocon($"akka.coordinated-shutdown.phases.service-requests-done.timeout = {phaseTimeout}ms", HoconAddMode.Prepend);

        return builder.WithActors((system, registry) =>
        {
            Socket listenSocket;
            try
            {
                listenSocket = Bind(settings);
            }
            catch (Exception error)
            {
                bound.TrySetException(error);
                throw;
            }

            var router = system.ActorOf(RouterActor.Props(routes, settings.Supervision), "router");
            var listener = system.ActorOf(ListenerActor.Props(listenSocket, settings, router), "listener");
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

            bound.TrySetResult((IPEndPoint)listenSocket.LocalEndPoint!);
        });
    }

    private static Socket Bind(ServerSettings settings)
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
