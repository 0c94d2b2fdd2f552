using System.Net;
using System.Net.Sockets;
using ActorHttp.Actors;
using ActorHttp.Handlers.Shared;
using ActorHttp.Hosting;
using ActorHttp.Models.Blocking;
using ActorHttp.Protocol;

namespace ActorHttp.Models.Threads;

/// <summary>
/// The <c>threads</c> model: every connection gets an OS thread of its own (a new
/// <see cref="Thread"/>, not one of the pool's), which blocks in its socket calls and runs the
/// connection's handlers (see <see cref="BlockingConnection"/>). Simple to follow, and what it costs
/// is plain: a thread's stack and a context switch per wake-up, for every connection, busy or idle.
/// </summary>
internal sealed class ThreadPerConnectionServer(Socket listenSocket, ServerSettings settings, Func<HttpRequest, ResolvedRequest> routes, Serilog.ILogger log, AccessLogWriter? accessLog)
    : ModelServer(listenSocket, settings, routes, log, accessLog)
{
    private readonly DrainSignal _drainSignal = new();

    private protected override ModelConnection Connect(Socket socket, long connectionId, IPAddress? client) =>
        new BlockingConnection(this, socket, connectionId, client, _drainSignal);

    private protected override void Start(ModelConnection connection) =>
        new Thread(((BlockingConnection)connection).Run)
        {
            // Background: a thread stuck in a handler past shutdown-timeout must not keep the process alive.
            IsBackground = true,
            Name = $"actorhttp-connection-{connection.Id}",
        }.Start();

    private protected override void OnDraining() => _drainSignal.Raise();

    private protected override void OnStopped() => _drainSignal.Dispose();
}
