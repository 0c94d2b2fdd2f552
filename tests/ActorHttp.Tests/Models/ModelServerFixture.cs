using ActorHttp.Hosting;
using ActorHttp.Models;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Models;

/// <summary>
/// One server of a model shared by the tests of its class, with a handler timeout short enough that
/// its tests take about a second; tests that stop the server or need other limits start their own
/// with <see cref="StartAsync"/>.
/// </summary>
public abstract class ModelServerFixture : IAsyncLifetime
{
    /// <summary>
    /// The timeouts every model test runs with: the handler's fires within about a second; the idle
    /// and header deadlines leave a client slowed down by a loaded machine a few seconds, and the
    /// tests of those deadlines shorten them on a server of their own.
    /// </summary>
    public const string ShortTimeouts = """
        actorhttp.server.idle-timeout = 5s
        actorhttp.server.request-header-timeout = 5s
        actorhttp.server.handler-timeout = 1s
        actorhttp.server.linger-timeout = 500ms
        actorhttp.server.shutdown-timeout = 3s
        """;

    public abstract ConcurrencyModel Model { get; }

    public ActorHttpServer Server { get; private set; } = null!;

    /// <summary>What <see cref="Server"/> serves.</summary>
    public ModelTestRoutes Routes { get; private set; } = null!;

    /// <summary>A server of <paramref name="model"/> serving <paramref name="routes"/> (fresh ones by default), with <paramref name="overrides"/> over the short timeouts.</summary>
    public static Task<ActorHttpServer> StartAsync(ConcurrencyModel model, string overrides = "", ModelTestRoutes? routes = null) =>
        TestServer.StartAsync(
            $"""
            actorhttp.server.model = {model.ToString().ToLowerInvariant()}
            actorhttp.models.pool.threads = 8
            actorhttp.models.pool.queue = 4
            {ShortTimeouts}
            {overrides}
            """,
            modelRoutes: (routes ?? new ModelTestRoutes(model)).Resolve);

    public async Task InitializeAsync()
    {
        Routes = new ModelTestRoutes(Model);
        Server = await StartAsync(Model, routes: Routes);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class ThreadsModelFixture : ModelServerFixture
{
    public override ConcurrencyModel Model => ConcurrencyModel.Threads;
}

public sealed class PoolModelFixture : ModelServerFixture
{
    public override ConcurrencyModel Model => ConcurrencyModel.Pool;
}

public sealed class EventLoopModelFixture : ModelServerFixture
{
    public override ConcurrencyModel Model => ConcurrencyModel.EventLoop;
}

public sealed class TasksModelFixture : ModelServerFixture
{
    public override ConcurrencyModel Model => ConcurrencyModel.Tasks;
}
