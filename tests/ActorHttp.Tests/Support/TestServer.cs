using ActorHttp.Handlers.Shared;
using ActorHttp.Hosting;
using ActorHttp.Protocol;
using Serilog;

namespace ActorHttp.Tests.Support;

/// <summary>Starts a real server on 127.0.0.1 with an ephemeral port and test-sized timeouts.</summary>
public static class TestServer
{
    /// <summary>Short timeouts so timer tests take fractions of a second; each test may override more.</summary>
    public const string FastTimeouts = """
        actorhttp.server.idle-timeout = 5s
        actorhttp.server.request-header-timeout = 5s
        actorhttp.server.handler-timeout = 5s
        actorhttp.server.shutdown-timeout = 3s
        actorhttp.server.linger-timeout = 500ms
        """;

    private static readonly Serilog.ILogger QuietLogger = new LoggerConfiguration()
        .MinimumLevel.Is(Environment.GetEnvironmentVariable("ACTORHTTP_TEST_LOGS") == "1" ? Serilog.Events.LogEventLevel.Debug : Serilog.Events.LogEventLevel.Fatal)
        .WriteTo.Console()
        .CreateLogger();

    /// <param name="modelRoutes">What a non-actor model serves (<c>actorhttp.server.model</c> in <paramref name="overrides"/>); null for 404 everywhere.</param>
    public static Task<ActorHttpServer> StartAsync(string? overrides = null, Action<RouteBuilder>? routes = null, string? configFile = null, Func<HttpRequest, ResolvedRequest>? modelRoutes = null) =>
        ActorHttpServer.StartAsync(new ServerOptions
        {
            Host = "127.0.0.1",
            Port = 0,
            ConfigFiles = configFile is null ? [] : [configFile],
            ConfigOverrides = FastTimeouts + "\n" + (overrides ?? string.Empty),
            // The tests exercise the demo routes, and must not depend on the ACTORHTTP__ variables of the shell that runs them.
            DemoRoutes = true,
            Environment = new Dictionary<string, string>(),
            Routes = routes,
            ModelRoutes = modelRoutes,
            Logger = QuietLogger,
        });
}

/// <summary>One server shared by the tests of a class that need no special settings.</summary>
public sealed class DefaultServerFixture : IAsyncLifetime
{
    public ActorHttpServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TestServer.StartAsync(routes: TestRoutes.Add);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
