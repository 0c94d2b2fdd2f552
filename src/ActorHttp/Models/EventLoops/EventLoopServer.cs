using System.Net;
using System.Net.Sockets;
using ActorHttp.Actors;
using ActorHttp.Handlers.Shared;
using ActorHttp.Hosting;
using ActorHttp.Protocol;

namespace ActorHttp.Models.EventLoops;

/// <summary>
/// The <c>eventloop</c> model, Node's (and the Flash study's SPED): one thread runs every
/// connection's core and every handler (see <see cref="LoopConnection"/>).
/// <c>actorhttp.models.eventloop.loops</c> runs that many loops, each a thread of its own, with
/// accepted connections dealt to them round-robin (as Node's cluster module deals them to workers).
/// </summary>
internal sealed class EventLoopServer : ModelServer
{
    private readonly EventLoop[] _loops;
    private int _nextLoop;

    public EventLoopServer(Socket listenSocket, ServerSettings settings, Func<HttpRequest, ResolvedRequest> routes, Serilog.ILogger log, AccessLogWriter? accessLog)
        : base(listenSocket, settings, routes, log, accessLog) =>
        _loops = [.. Enumerable.Range(0, settings.Models.EventLoops).Select(index => new EventLoop(index, Log))];

    private protected override void OnStarting()
    {
        foreach (var loop in _loops)
        {
            loop.Start();
        }
    }

    /// <summary>Only the acceptor calls it, so the round-robin needs no lock.</summary>
    private protected override ModelConnection Connect(Socket socket, long connectionId, IPAddress? client)
    {
        var loop = _loops[_nextLoop];
        _nextLoop = (_nextLoop + 1) % _loops.Length;
        return new LoopConnection(this, socket, connectionId, client, loop);
    }

    private protected override void Start(ModelConnection connection) => ((LoopConnection)connection).Start();

    private protected override void OnStopped()
    {
        foreach (var loop in _loops)
        {
            loop.Stop();
        }
    }
}
