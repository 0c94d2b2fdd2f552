using System.Net.Sockets;
using ActorHttp.Hosting;
using ActorHttp.Observability;
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

    // nginx's ngx_drain_connections: at most 32 reusable connections closed when it runs out.
    private const int MaxReclaimedAtOnce = 32;

    private readonly Socket _listenSocket;
    private readonly ServerSettings _settings;
    private readonly IActorRef _router;
    private readonly StreamedBodyRoutes? _streamedBodies;
    private readonly AccessLogWriter? _accessLog;
    private readonly Serilog.ILogger? _connectionLog;
    private readonly ServerObservability? _observability;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<IActorRef> _drainRequesters = [];
    private readonly Dictionary<IActorRef, ConnectionSlot> _connections = [];

    // Told to close to make room and not gone yet: their places are already promised to newcomers.
    private readonly HashSet<IActorRef> _beingReclaimed = [];
    private readonly Dictionary<System.Net.IPAddress, int> _connectionsPerClient = [];
    private readonly HttpResponse _atConnectionLimit = HttpResponse.Text(503, "The server is at its connection limit; try again shortly.\n").WithHeader("Retry-After", "1");
    private readonly HttpResponse _atClientLimit;
    private long _nextConnectionId;
    private bool _draining;

    public ListenerActor(Socket listenSocket, ServerSettings settings, IActorRef router, StreamedBodyRoutes? streamedBodies, AccessLogWriter? accessLog, Serilog.ILogger? connectionLog, ServerObservability? observability = null)
    {
        _observability = observability;
        _accessLog = accessLog;
        _connectionLog = connectionLog;
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
    /// <param name="connectionLog">Where the connections' protocol cores log; nowhere when null.</param>
    /// <param name="observability">Metrics, traces, request ids and trusted proxies of the connections; null for none.</param>
    public static Props Props(Socket listenSocket, ServerSettings settings, IActorRef router, StreamedBodyRoutes? streamedBodies = null, AccessLogWriter? accessLog = null, Serilog.ILogger? connectionLog = null, ServerObservability? observability = null) =>
        Akka.Actor.Props.Create(() => new ListenerActor(listenSocket, settings, router, streamedBodies, accessLog, connectionLog, observability));

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
            _observability?.Metrics.ConnectionRejected("draining");
            accepted.Socket.Dispose();
            return;
        }

        var slot = new ConnectionSlot((accepted.Socket.RemoteEndPoint as System.Net.IPEndPoint)?.Address);
        var refusal = Admit(slot, id);
        var props = ConnectionActor.Props(accepted.Socket, id, _settings, _router, refusal, _streamedBodies, slot, _accessLog, _connectionLog, _observability);
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
            _observability?.Metrics.ConnectionRejected("max-connections-per-client");
            return _atClientLimit;
        }

        if (_connections.Count - _beingReclaimed.Count < _settings.MaxConnections || ReclaimLongestIdle())
        {
            return null;
        }

        _log.Warning("Connection limit {MaxConnections} reached with every connection busy; refusing connection {ConnectionId} with 503", _settings.MaxConnections, id);
        _observability?.Metrics.ConnectionRejected("max-connections");
        return _atConnectionLimit;
    }

    /// <summary>
    /// Closes the keep-alive connections idle the longest to make room; false when every connection
    /// is busy. As nginx does when its connections run out, it closes an eighth of the idle ones (at
    /// least one, at most 32) at once, so the newcomers right behind this one find room without
    /// another scan. Runs only at the limit: a scan of the slots (microseconds for ten thousand)
    /// costs nothing below it, where tracking idleness by message would cost every request a mailbox trip.
    /// </summary>
    private bool ReclaimLongestIdle()
    {
        // The oldest idle connections seen so far, the newest of them on top to be pushed out.
        var oldest = new PriorityQueue<(IActorRef Connection, ConnectionSlot Slot, long Since), long>(MaxReclaimedAtOnce);
        var idle = 0;
        foreach (var (connection, slot) in _connections)
        {
            var since = slot.IdleSince;
            if (since == 0)
            {
                continue;
            }

            idle++;
            if (oldest.Count < MaxReclaimedAtOnce)
            {
                oldest.Enqueue((connection, slot, since), -since);
            }
            else if (oldest.TryPeek(out _, out var newest) && since < -newest)
            {
                oldest.EnqueueDequeue((connection, slot, since), -since);
            }
        }

        var wanted = Math.Max(Math.Min(MaxReclaimedAtOnce, idle / 8), 1);
        var candidates = new List<(IActorRef Connection, ConnectionSlot Slot, long Since)>(oldest.Count);
        while (oldest.TryDequeue(out var candidate, out _))
        {
            candidates.Add(candidate);
        }

        // Dequeued newest first: claim from the oldest. A connection that turned busy since the scan
        // refuses the claim, and the next oldest is tried instead.
        var reclaimed = 0;
        for (var i = candidates.Count - 1; i >= 0 && reclaimed < wanted; i--)
        {
            var (connection, slot, since) = candidates[i];
            if (slot.TryClaimIdle(since))
            {
                connection.Tell(ReclaimIdle.Instance);
                _beingReclaimed.Add(connection);
                reclaimed++;
            }
        }

        return reclaimed > 0;
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
        _beingReclaimed.Remove(connection);
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
