using System.Net;
using ActorHttp.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace ActorHttp.Testing;

/// <summary>What an <see cref="ActorHttpTestServer"/> runs besides its routes.</summary>
public sealed record TestServerOptions
{
    /// <summary>
    /// HOCON over the defaults (<c>actorhttp.server.handler-timeout = 2s</c>, …). Nothing else is read:
    /// no config file and no <c>ACTORHTTP__…</c> variable of the shell running the tests.
    /// </summary>
    public string? Config { get; init; }

    /// <summary>
    /// Registers the services that handlers mapped by type (<c>routes.MapGet&lt;MyHandler&gt;("/x")</c>)
    /// are built from: <c>services =&gt; services.AddSingleton(fakeClock)</c>. The server's container,
    /// as <see cref="ServerOptions.ConfigureServices"/> gives it to an application.
    /// </summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>Where the server logs (its own, Akka's, the access log); silent when null.</summary>
    public Serilog.ILogger? Logger { get; init; }

    /// <summary>
    /// A last say over the <see cref="ServerOptions"/> the test server starts with, for anything this
    /// record does not name; it must keep the demo off to keep the
    /// promise that only the given routes are served.
    /// </summary>
    public Func<ServerOptions, ServerOptions>? ConfigureServer { get; init; }
}

/// <summary>
/// A real ActorHttp server in the test's process, on 127.0.0.1 and a free port, serving exactly the
/// routes given (never the demo): test it through <see cref="Client"/> as any HTTP client would, or
/// byte by byte through <see cref="ConnectRawAsync"/>. Dispose it to stop it (gracefully, as on SIGTERM).
/// </summary>
public sealed class ActorHttpTestServer : IAsyncDisposable
{
    private ActorHttpTestServer(ActorHttpServer server)
    {
        Server = server;
        BaseAddress = new Uri($"http://127.0.0.1:{server.Endpoint.Port}/");
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The running server: its actor system, settings and host.</summary>
    public ActorHttpServer Server { get; }

    /// <summary>Where it listens, for instance <c>http://127.0.0.1:40713/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The port it listens on.</summary>
    public IPEndPoint Endpoint => Server.Endpoint;

    /// <summary>A client whose <see cref="HttpClient.BaseAddress"/> is the server: <c>Client.GetAsync("/hello")</c>.</summary>
    public HttpClient Client { get; }

    /// <summary>Starts a server with the routes <paramref name="routes"/> maps and nothing else.</summary>
    public static async Task<ActorHttpTestServer> StartAsync(Action<RouteBuilder> routes, TestServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(routes);
        options ??= new TestServerOptions();
        var serverOptions = new ServerOptions
        {
            Host = "127.0.0.1",
            Port = 0,
            ConfigOverrides = options.Config,
            DemoRoutes = false,
            Environment = new Dictionary<string, string>(),
            Routes = routes,
            ConfigureServices = options.ConfigureServices,
            Logger = options.Logger ?? Serilog.Core.Logger.None,
        };
        serverOptions = options.ConfigureServer?.Invoke(serverOptions) ?? serverOptions;
        if (serverOptions.DemoRoutes)
        {
            throw new ArgumentException("A test server serves only the routes it is given: ConfigureServer must not turn the demo on", nameof(options));
        }

        return new ActorHttpTestServer(await ActorHttpServer.StartAsync(serverOptions, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>A new connection that sends exactly the bytes it is given and reads responses byte-exactly.</summary>
    public Task<RawHttpClient> ConnectRawAsync() => RawHttpClient.ConnectAsync(Server.Endpoint);

    /// <summary>Stops the server (drains, as on SIGTERM) and disposes the client.</summary>
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync().ConfigureAwait(false);
    }
}
