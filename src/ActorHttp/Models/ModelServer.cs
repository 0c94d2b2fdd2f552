using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ActorHttp.Actors;
using ActorHttp.Handlers.Shared;
using ActorHttp.Hosting;
using ActorHttp.Models.EventLoops;
using ActorHttp.Models.Pool;
using ActorHttp.Models.Tasks;
using ActorHttp.Models.Threads;
using ActorHttp.Protocol;
using ActorHttp.Protocol.Connection;
using Microsoft.Extensions.Hosting;

namespace ActorHttp.Models;

/// <summary>
/// What the four non-actor models share, so that only the serving of a connection differs between
/// them: accepting on the pre-bound listen socket, <c>max-connections</c> and
/// <c>max-connections-per-client</c> (503 with <c>Retry-After</c> past them, as the actor listener
/// answers), and the graceful stop: stop accepting, have every connection drain, wait up to
/// <c>shutdown-timeout</c>, then close what is left.
/// </summary>
/// <remarks>
/// Accepting is one async loop on the .NET thread pool in every model: it is not what the study
/// compares, and it must never wait behind a blocked worker or loop. Unlike the actor listener, no
/// model reclaims idle keep-alive connections at <c>max-connections</c>: in the thread models an idle
/// connection holding its thread is the very cost being measured, and the others keep to the same
/// rule so that the limit means the same everywhere.
/// </remarks>
public abstract class ModelServer : IHostedService
{
    // After an accept error such as "too many open files", retrying at once would spin a core.
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly Socket _listenSocket;
    private readonly ConcurrentDictionary<long, ModelConnection> _connections = new();
    private readonly Dictionary<IPAddress, int> _connectionsPerClient = [];
    private readonly TaskCompletionSource _allClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HttpResponse _atConnectionLimit = HttpResponse.Text(503, "The server is at its connection limit; try again shortly.\n").WithHeader("Retry-After", "1");
    private readonly HttpResponse _atClientLimit;
    private Task _accepting = Task.CompletedTask;
    private Task? _stopping;
    private long _nextConnectionId;
    private int _open;
    private volatile bool _draining;

    private protected ModelServer(Socket listenSocket, ServerSettings settings, Func<HttpRequest, ResolvedRequest> routes, Serilog.ILogger log, AccessLogWriter? accessLog)
    {
        _listenSocket = listenSocket;
        Settings = settings;
        Routes = routes;
        Log = log.ForContext(GetType());
        AccessLog = accessLog;
        // No route of the shared table streams its request body, so none is ever streamed here.
        ConnectionSettings = settings.ToConnectionSettings(streamedBodyLimit: null, accessLog: accessLog is not null);
        _atClientLimit = HttpResponse.Text(503, $"This client already has {settings.MaxConnectionsPerClient} connections open, the most the server allows one client.\n").WithHeader("Retry-After", "1");
    }

    internal ServerSettings Settings { get; }

    internal ConnectionSettings ConnectionSettings { get; }

    /// <summary>Which handler serves a request (a 404, 405 or 501 answer is a handler too).</summary>
    internal Func<HttpRequest, ResolvedRequest> Routes { get; }

    internal Serilog.ILogger Log { get; }

    internal AccessLogWriter? AccessLog { get; }

    /// <summary>Connections open now, refused ones included until they have closed.</summary>
    private int OpenConnections => Volatile.Read(ref _open);

    /// <summary>
    /// The server of the model <paramref name="settings"/> names, on <paramref name="listenSocket"/>
    /// (bound and listening; the server owns it from then on), serving what <paramref name="routes"/> resolves.
    /// </summary>
    /// <param name="accessLog">Where each answered request is logged; null for no access log. Its caller starts and stops it.</param>
    public static ModelServer Create(Socket listenSocket, ServerSettings settings, Func<HttpRequest, ResolvedRequest> routes, Serilog.ILogger log, AccessLogWriter? accessLog) => settings.Model switch
    {
        ConcurrencyModel.Threads => new ThreadPerConnectionServer(listenSocket, settings, routes, log, accessLog),
        ConcurrencyModel.Pool => new WorkerPoolServer(listenSocket, settings, routes, log, accessLog),
        ConcurrencyModel.EventLoop => new EventLoopServer(listenSocket, settings, routes, log, accessLog),
        ConcurrencyModel.Tasks => new TaskServer(listenSocket, settings, routes, log, accessLog),
        _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Model, "The actor model is served by the actor system's listener, not by a model server."),
    };

    public Task StartAsync(CancellationToken cancellationToken)
    {
        OnStarting();
        _accepting = AcceptAsync();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Graceful stop: stop accepting; every connection drains (what its client has already sent is
    /// answered, the last answer saying <c>Connection: close</c>; an idle one closes at once); after
    /// <c>shutdown-timeout</c> whatever is still open is closed. A second call waits for the first.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_allClosed)
        {
            return _stopping ??= DrainAsync(cancellationToken);
        }
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        // Drained here and now, before anything is awaited: on a thread pool starved by blocking
        // handlers a continuation may wait, and the drain must not.
        _draining = true;
        _listenSocket.Dispose();
        Log.Information("Draining: no longer accepting; waiting for {Connections} connections", OpenConnections);
        foreach (var connection in _connections.Values)
        {
            connection.Drain();
        }

        OnDraining();
        await _accepting.ConfigureAwait(false);
        if (OpenConnections == 0)
        {
            _allClosed.TrySetResult();
        }

        try
        {
            await _allClosed.Task.WaitAsync(Settings.ShutdownTimeout, cancellationToken).ConfigureAwait(false);
            Log.Information("All connections closed");
        }
        catch (Exception error) when (error is TimeoutException or OperationCanceledException)
        {
            Log.Warning("Connections still open after {ShutdownTimeout}; closing them", Settings.ShutdownTimeout);
            foreach (var connection in _connections.Values)
            {
                connection.Abort();
            }
        }

        OnStopped();
    }

    /// <summary>Called once a connection has closed its socket and released its core, on whatever thread served it.</summary>
    internal void Closed(ModelConnection connection)
    {
        _connections.TryRemove(connection.Id, out _);
        if (Settings.MaxConnectionsPerClient > 0 && connection.Client is { } client)
        {
            lock (_connectionsPerClient)
            {
                if (_connectionsPerClient.TryGetValue(client, out var count) && count > 1)
                {
                    _connectionsPerClient[client] = count - 1;
                }
                else
                {
                    _connectionsPerClient.Remove(client);
                }
            }
        }

        if (Interlocked.Decrement(ref _open) == 0 && _draining)
        {
            _allClosed.TrySetResult();
        }
    }

    /// <summary>Before the first accept: the model starts its threads or loops.</summary>
    private protected virtual void OnStarting()
    {
    }

    /// <summary>After every connection has been told to drain: a model whose threads wait where a drain cannot reach them wakes them.</summary>
    private protected virtual void OnDraining()
    {
    }

    /// <summary>Every connection has closed, or been closed past <c>shutdown-timeout</c>: the model lets its threads go.</summary>
    private protected virtual void OnStopped()
    {
    }

    /// <summary>A refusal of the model's own before a connection is served (the pool's full queue); null to serve it.</summary>
    private protected virtual HttpResponse? ModelRefusal(long connectionId) => null;

    /// <summary>Makes the model's connection for an accepted socket, not yet serving.</summary>
    private protected abstract ModelConnection Connect(Socket socket, long connectionId, IPAddress? client);

    /// <summary>Starts serving a connection made by <see cref="Connect"/> (on a thread, in a queue, on a loop, as a task).</summary>
    private protected abstract void Start(ModelConnection connection);

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listenSocket.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception error) when (_draining && error is ObjectDisposedException or SocketException)
            {
                return;
            }
            catch (SocketException error)
            {
                Log.Warning("Accept failed: {Error}; retrying in {Delay}", error.Message, AcceptRetryDelay);
                await Task.Delay(AcceptRetryDelay).ConfigureAwait(false);
                continue;
            }

            Admit(socket);
        }
    }

    private void Admit(Socket socket)
    {
        var id = ++_nextConnectionId;
        // Answers are batched by the connection core; Nagle would only delay the last segment.
        socket.NoDelay = true;
        var client = (socket.RemoteEndPoint as IPEndPoint)?.Address;
        var refusal = AdmissionRefusal(client, id) ?? ModelRefusal(id);
        Interlocked.Increment(ref _open);
        if (Settings.MaxConnectionsPerClient > 0 && client is not null)
        {
            lock (_connectionsPerClient)
            {
                _connectionsPerClient[client] = _connectionsPerClient.GetValueOrDefault(client) + 1;
            }
        }

        // A refused connection is answered by a task on the .NET pool whatever the model: refusals
        // come when the model's threads, workers or loops are all taken, and must not wait for one.
        var connection = refusal is null ? Connect(socket, id, client) : new TaskConnection(this, socket, id, client, refusal);
        _connections[id] = connection;
        if (_draining)
        {
            // Accepted as the stop began, after the drain went round: it drains too.
            connection.Drain();
        }

        try
        {
            if (refusal is null)
            {
                Start(connection);
            }
            else
            {
                ((TaskConnection)connection).Start();
            }
        }
        catch (Exception error) when (error is OutOfMemoryException or ThreadStartException)
        {
            // No thread could be made for it: the process is out of threads or memory.
            Log.Error(error, "Connection {ConnectionId} could not be started; closing it", id);
            connection.Abort();
            Closed(connection);
        }
    }

    /// <summary>
    /// The 503 a new connection gets past <c>max-connections-per-client</c> or <c>max-connections</c>;
    /// null when it may be served. A refused connection counts until it has closed.
    /// </summary>
    private HttpResponse? AdmissionRefusal(IPAddress? client, long id)
    {
        if (Settings.MaxConnectionsPerClient > 0 && client is not null)
        {
            int count;
            lock (_connectionsPerClient)
            {
                count = _connectionsPerClient.GetValueOrDefault(client);
            }

            if (count >= Settings.MaxConnectionsPerClient)
            {
                Log.Warning("Client {Client} has {Connections} connections, the most max-connections-per-client allows; refusing connection {ConnectionId} with 503", client, Settings.MaxConnectionsPerClient, id);
                return _atClientLimit;
            }
        }

        if (OpenConnections >= Settings.MaxConnections)
        {
            Log.Warning("Connection limit {MaxConnections} reached; refusing connection {ConnectionId} with 503", Settings.MaxConnections, id);
            return _atConnectionLimit;
        }

        return null;
    }
}
