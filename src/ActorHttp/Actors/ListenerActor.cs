using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;

namespace ActorHttp.Actors;

/// <summary>
/// Owns the listening socket: accepts one connection at a time (the accept is async and piped back
/// as a message), gives each its own <see cref="ConnectionActor"/>, and counts them against
/// <c>max-connections</c>. On <see cref="Drain"/> it stops accepting and waits for its connections.
/// </summary>
public sealed class ListenerActor : ReceiveActor, IWithTimers
{
    // After an accept error such as "too many open files", retrying at once would spin a core.
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly Socket _listenSocket;
    private readonly ServerSettings _settings;
    private readonly IActorRef _router;
    private readonly StreamedBodyRoutes? _streamedBodies;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<IActorRef> _drainRequesters = [];
    private long _nextConnectionId;
    private int _liveConnections;
    private bool _draining;

    public ListenerActor(Socket listenSocket, ServerSettings settings, IActorRef router, StreamedBodyRoutes? streamedBodies)
    {
        _listenSocket = listenSocket;
        _settings = settings;
        _router = router;
        _streamedBodies = streamedBodies;

        Receive<SocketAccepted>(OnAccepted);
        Receive<AcceptFailed>(OnAcceptFailed);
        Receive<ResumeAccepting>(_ => Accept());
        Receive<Terminated>(_ => OnConnectionClosed());
        Receive<Drain>(_ => OnDrain());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Socket listenSocket, ServerSettings settings, IActorRef router, StreamedBodyRoutes? streamedBodies = null) =>
        Akka.Actor.Props.Create(() => new ListenerActor(listenSocket, settings, router, streamedBodies));

    protected override void PreStart() => Accept();

    protected override void PostStop() => _listenSocket.Dispose();

    // A connection that fails is closed by its own actor; restarting it would lose the socket.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    private void Accept() =>
        _listenSocket.AcceptAsync()
            .PipeTo(Self, success: socket => new SocketAccepted(socket), failure: error => new AcceptFailed(error));

    private void OnAccepted(SocketAccepted accepted)
    {
        var id = ++_nextConnectionId;
        if (_draining)
        {
            accepted.Socket.Dispose();
            return;
        }

        var overloaded = _liveConnections >= _settings.MaxConnections;
        if (overloaded)
        {
            _log.Warning("Connection limit {MaxConnections} reached; refusing connection {ConnectionId} with 503", _settings.MaxConnections, id);
        }

        var props = ConnectionActor.Props(accepted.Socket, id, _settings, _router, overloaded, _streamedBodies);
        var connection = Context.ActorOf(_settings.ConnectionDispatcher.Length > 0 ? props.WithDispatcher(_settings.ConnectionDispatcher) : props, $"connection-{id}");
        Context.Watch(connection);
        _liveConnections++;
        Accept();
    }

    private void OnAcceptFailed(AcceptFailed failed)
    {
        if (_draining || failed.Error is ObjectDisposedException)
        {
            return;
        }

        _log.Warning("Accept failed: {Error}; retrying in {Delay}", failed.Error.Message, AcceptRetryDelay);
        Timers.StartSingleTimer("accept-retry", ResumeAccepting.Instance, AcceptRetryDelay);
    }

    private void OnConnectionClosed()
    {
        _liveConnections--;
        ReplyIfDrained();
    }

    private void OnDrain()
    {
        _drainRequesters.Add(Sender);
        if (!_draining)
        {
            _draining = true;
            _log.Info("Draining: no longer accepting; waiting for {Connections} connections", _liveConnections);
            _listenSocket.Dispose();
            foreach (var connection in Context.GetChildren())
            {
                connection.Tell(Drain.Instance);
            }
        }

        ReplyIfDrained();
    }

    private void ReplyIfDrained()
    {
        if (!_draining || _liveConnections > 0)
        {
            return;
        }

        foreach (var requester in _drainRequesters)
        {
            requester.Tell(Drained.Instance);
        }

        _drainRequesters.Clear();
    }
}
