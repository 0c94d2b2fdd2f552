using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ActorHttp.Actors;
using ActorHttp.Handlers.Shared;
using ActorHttp.Hosting;
using ActorHttp.Models.Blocking;
using ActorHttp.Protocol;

namespace ActorHttp.Models.Pool;

/// <summary>
/// The <c>pool</c> model, as Apache's worker MPM or Tomcat's blocking connector: a fixed number of
/// worker threads (<c>actorhttp.models.pool.threads</c>) take accepted connections from a bounded
/// queue (<c>actorhttp.models.pool.queue</c>), and each serves its connection with blocking calls
/// until it closes (see <see cref="BlockingConnection"/>). Threads are bounded, so memory is; but a
/// keep-alive or slow client holds a worker for as long as it stays, and once every worker is held
/// the queue fills and newcomers get 503 at once.
/// </summary>
/// <remarks>
/// A queued connection's deadlines start when a worker takes it: until then nobody reads it, so its
/// client waits, as behind Apache's or Tomcat's accept queue.
/// </remarks>
internal sealed class WorkerPoolServer : ModelServer
{
    private readonly DrainSignal _drainSignal = new();
    private readonly BlockingCollection<BlockingConnection> _queue;
    private readonly HttpResponse _queueFull;

    public WorkerPoolServer(Socket listenSocket, ServerSettings settings, Func<HttpRequest, ResolvedRequest> routes, Serilog.ILogger log, AccessLogWriter? accessLog)
        : base(listenSocket, settings, routes, log, accessLog)
    {
        _queue = new BlockingCollection<BlockingConnection>(new ConcurrentQueue<BlockingConnection>(), settings.Models.PoolQueue);
        _queueFull = HttpResponse.Text(503, $"All {settings.Models.PoolThreads} workers are busy and {settings.Models.PoolQueue} connections wait for one; try again shortly.\n").WithHeader("Retry-After", "1");
    }

    private protected override void OnStarting()
    {
        for (var i = 0; i < Settings.Models.PoolThreads; i++)
        {
            new Thread(Work)
            {
                // Background: a worker stuck in a handler past shutdown-timeout must not keep the process alive.
                IsBackground = true,
                Name = $"actorhttp-worker-{i}",
            }.Start();
        }
    }

    /// <summary>Only the acceptor adds to the queue, so room seen here is still there when it adds.</summary>
    private protected override HttpResponse? ModelRefusal(long connectionId)
    {
        if (_queue.Count < Settings.Models.PoolQueue)
        {
            return null;
        }

        Log.Warning("Every worker is busy and the queue holds {Queue} connections; refusing connection {ConnectionId} with 503", Settings.Models.PoolQueue, connectionId);
        return _queueFull;
    }

    private protected override ModelConnection Connect(Socket socket, long connectionId, IPAddress? client) =>
        new BlockingConnection(this, socket, connectionId, client, _drainSignal);

    private protected override void Start(ModelConnection connection) => _queue.Add((BlockingConnection)connection);

    private protected override void OnDraining() => _drainSignal.Raise();

    private protected override void OnStopped()
    {
        // Workers finish what they serve, take what is left in the queue (closed already, if it was
        // forced), then end.
        _queue.CompleteAdding();
        _drainSignal.Dispose();
    }

    private void Work()
    {
        foreach (var connection in _queue.GetConsumingEnumerable())
        {
            connection.Run();
        }
    }
}
