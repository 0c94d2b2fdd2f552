using ActorHttp.Hosting;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.EveryModel;

/// <summary>
/// One server per concurrency model, shared by every suite of the "Every model" collection, with
/// timeouts short enough for timer tests to take about a second. The suites are theories over
/// <see cref="Models"/>: the same bytes, the same expectations, only the scheduling model differs.
/// </summary>
public sealed class EveryModelFixture : IAsyncLifetime
{
    public const string Timeouts = """
        actorhttp.server.idle-timeout = 1500ms
        actorhttp.server.request-header-timeout = 1s
        actorhttp.server.handler-timeout = 1s
        actorhttp.server.linger-timeout = 300ms
        """;

    private readonly Dictionary<string, ActorHttpServer> _servers = [];

    public static string[] Models { get; } = ["actors", "threads", "pool", "eventloop", "tasks"];

    public static IEnumerable<object[]> ModelData() => Models.Select(model => new object[] { model });

    public ActorHttpServer this[string model] => _servers[model];

    public async Task InitializeAsync()
    {
        foreach (var model in Models)
        {
            _servers[model] = await TestServer.StartAsync(Timeouts + $"\nactorhttp.server.model = {model}\n");
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _servers.Values)
        {
            await server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class EveryModelCollection : ICollectionFixture<EveryModelFixture>
{
    public const string Name = "Every model";
}
