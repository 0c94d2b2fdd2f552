using System.Net.Sockets;
using ActorHttp.Hosting;
using ActorHttp.Protocol;
using Akka.Actor;
using Akka.Event;

namespace ActorHttp.Actors;

/// <summary>
/// Owns the listening socket: accepts one connection at a time (the accept is async and piped back
/// as a message), gives each its own <see cref="ConnectionActor"/>, and counts them against
/// <c>max-connections</c> and <c>max-connections-per-client</c>. At <c>max-connections</c> the
/// longest-idle keep-alive connection makes room for the newcomer; only busy connections are never
/// reclaimed. On <see cref="Drain"/> it stops accepting and waits for its connections.
/// </summary>
public sealed class ListenerActor : ReceiveActor, IWithTimers
{
    // After an accept error such as "too many open files", retrying at once would spin a core.
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly Socket _listenSocket;
    private readonly ServerSettings _settings;
    private readonly IActorRef _router;
    private readonly StreamedBodyRoutes? _streamedBodies;
    private readonly AccessLogWriter? _accessLog;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<IActorRef> _drainRequesters = [];
    private readonly Dictionary<IActorRef, ConnectionSlot> _connections = [];
    private readonly Dictionary<System.Net.IPAddress, int> _connectionsPerClient = [];
    private readonly HttpResponse _atConnectionLimit = HttpResponse.Text(503, "The server is at its connection limit; try again shortly.\n").WithHeader("Retry-After", "1");
    private readonly HttpResponse _atClientLimit;
    private long _nextConnectionId;
    private bool _draining;

    public ListenerActor(Socket listenSocket, ServerSettings settings, IActorRef router, StreamedBodyRoutes? streamedBodies, AccessLogWriter? accessLog)
    {
        _accessLog = accessLog;
        _listenSocket = listenSocket;
        _settings = settings;
        _router = router;
        _streamedBodies = streamedBodies;
        _atClientLimit = HttpResponse.Text(503, $"This client already has {settings.MaxConnectionsPerClient} connections open, the most the server allows one client.\n").WithHeader("Retry-After", "1");

        Receive<SocketAccepted>(OnAccepted);
        Receive<AcceptFailed>(OnAcceptFailed);
        Receive<ResumeAccepting>(_ => Accept());
        Receive<Terminated>(terminated => OnConnectionClosed(terminated.ActorRef));
        Receive<Drain>(_ => OnDrain());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="accessLog">Where the connections log each answered request; null for no access log.</param>
    public static Props Props(Socket listenSocket, ServerSettings settings, IActorRef router, StreamedBodyRoutes? streamedBodies = null, AccessLogWriter? accessLog = null) =>
        Akka.Actor.Props.Create(() => new ListenerActor(listenSocket, settings, router, streamedBodies, accessLog));

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

        var slot = new ConnectionSlot((accepted.Socket.RemoteEndPoint as System.Net.IPEndPoint)?.Address);
        var refusal = Admit(slot, id);
        var props = ConnectionActor.Props(accepted.Socket, id, _settings, _router, refusal, _streamedBodies, slot, _accessLog);
        var connection = Context.ActorOf(_settings.ConnectionDispatcher.Length > 0 ? props.WithDispatcher(_settings.ConnectionDispatcher) : props, $"connection-{id}");
        Context.Watch(connection);
        _connections.Add(connection, slot);
        if (slot.Client is { } client && _settings.MaxConnectionsPerClient > 0)
        {
            _connectionsPerClient[client] = _connectionsPerClient.GetValueOrDefault(client) + 1;
        }

        Accept();
    }

    /// <summary>
    /// Null when the new connection may be served; otherwise the 503 it gets before it closes. A
    /// refused connection still counts until it has closed (its answer and lingering close are short).
    /// </summary>
    private HttpResponse? Admit(ConnectionSlot slot, long id)
    {
        if (_settings.MaxConnectionsPerClient > 0 && slot.Client is { } client
            && _connectionsPerClient.GetValueOrDefault(client) >= _settings.MaxConnectionsPerClient)
        {
            _log.Warning("Client {Client} has {Connections} connections, the most max-connections-per-client allows; refusing connection {ConnectionId} with 503", client, _settings.MaxConnectionsPerClient, id);
            return _atClientLimit;
        }

        if (_connections.Count < _settings.MaxConnections || ReclaimLongestIdle())
        {
            return null;
        }

        _log.Warning("Connection limit {MaxConnections} reached with every connection busy; refusing connection {ConnectionId} with 503", _settings.MaxConnections, id);
        return _atConnectionLimit;
    }

    /// <summary>
    /// Closes the keep-alive connection idle the longest to make room; false when every connection
    /// is busy. Runs only at the limit: a scan of the slots (microseconds for ten thousand) costs
    /// nothing below it, where tracking idleness by message would cost every request a mailbox trip.
    /// </summary>
    private bool ReclaimLongestIdle()
    {
        // A connection may turn busy between the scan and the claim: then scan again (a few times).
        for (var attempt = 0; attempt < 3; attempt++)
        {
            IActorRef? oldest = null;
            var oldestSince = long.MaxValue;
            foreach (var (connection, slot) in _connections)
            {
                var since = slot.IdleSince;
                if (since != 0 && since < oldestSince)
                {
                    oldest = connection;
                    oldestSince = since;
                }
            }

            if (oldest is null)
            {
                return false;
            }

            if (_connections[oldest].TryClaimIdle(oldestSince))
            {
                oldest.Tell(ReclaimIdle.Instance);
                return true;
            }
        }

        return false;
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

    private void OnConnectionClosed(IActorRef connection)
    {
        if (_connections.Remove(connection, out var slot) && slot.Client is { } client
            && _connectionsPerClient.TryGetValue(client, out var count))
        {
            if (count > 1)
            {
                _connectionsPerClient[client] = count - 1;
            }
            else
            {
                _connectionsPerClient.Remove(client);
            }
        }

        ReplyIfDrained();
    }

    private void OnDrain()
    {
        _drainRequesters.Add(Sender);
        if (!_draining)
        {
            _draining = true;
            _log.Info("Draining: no longer accepting; waiting for {Connections} connections", _connections.Count);
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
        if (!_draining || _connections.Count > 0)
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
