using Akka.Configuration;
using Akka.Dispatch;

namespace ActorHttp.Hosting;

/// <summary>
/// An Akka executor on the .NET thread pool that puts every mailbox it schedules on the pool's
/// global FIFO queue. Akka's own thread-pool executor prefers the scheduling thread's local queue,
/// which that thread serves newest first: right for a handler answering the router, but a connection
/// whose socket read completed then waits behind every mailbox queued after it. From the global
/// queue connections are served in the order their bytes arrived, on the same threads as the router
/// and handlers, so a request crosses no other thread pool (docs/performance.md).
/// </summary>
/// <remarks>Named in HOCON as a dispatcher's <c>executor</c>: <c>"ActorHttp.Hosting.GlobalQueueExecutorConfigurator, ActorHttp"</c>.</remarks>
public sealed class GlobalQueueExecutorConfigurator(Config config, IDispatcherPrerequisites prerequisites)
    : ExecutorServiceConfigurator(config, prerequisites)
{
    public override ExecutorService Produce(string id) => new GlobalQueueExecutor(id);

    private sealed class GlobalQueueExecutor(string id) : ExecutorService(id)
    {
        public override void Execute(IRunnable run) => ThreadPool.UnsafeQueueUserWorkItem(run, preferLocal: false);

        // The .NET thread pool is shared with the process: nothing of its own to stop.
        public override void Shutdown()
        {
        }
    }
}
