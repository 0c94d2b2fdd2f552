using System.Net;
using ActorHttp.Handlers.Auth;
using ActorHttp.Handlers.Proxy;
using ActorHttp.Handlers.Redirects;
using ActorHttp.Handlers.StaticFiles;
using ActorHttp.Handlers.Uploads;
using ActorHttp.Actors;
using ActorHttp.Cluster;
using ActorHttp.Persistence;
using ActorHttp.Handlers.Shared;
using ActorHttp.Models;
using ActorHttp.Protocol;
using ActorHttp.Routing;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;

namespace ActorHttp.Hosting;

/// <summary>How to start a server: where its settings come from and which routes it serves.</summary>
public sealed record ServerOptions
{
    /// <summary>HOCON files (<c>--config</c>), each overriding the defaults and the files before it.</summary>
    public IReadOnlyList<string> ConfigFiles { get; init; } = [];

    public string? Host { get; init; }
    public int? Port { get; init; }

    /// <summary>The folder of static files (<c>--root</c>), over <c>actorhttp.static-files.root</c>.</summary>
    public string? StaticRoot { get; init; }

    /// <summary>The concurrency model's name (<c>--model</c>), over <c>actorhttp.server.model</c>.</summary>
    public string? Model { get; init; }

    /// <summary>
    /// What the non-actor models (<c>actorhttp.server.model</c> other than <c>actors</c>) serve: the
    /// handler of each request, a 404 or 405 answer being a handler too. Null: every request is
    /// answered 404, as the actor model answers when no route is mapped. The actor model ignores it
    /// and serves <see cref="Routes"/>.
    /// </summary>
    public Func<HttpRequest, ResolvedRequest>? ModelRoutes { get; init; }

    /// <summary>
    /// HOCON applied over the config files and under the environment: what the program insists on
    /// over its files, which the operator can still override (tests use it for short timeouts).
    /// </summary>
    public string? ConfigOverrides { get; init; }

    /// <summary>
    /// The environment variables read for <c>${NAME}</c> in config files and for <c>ACTORHTTP__…</c>
    /// settings; null for the process's own (tests pass their own to stay independent of it).
    /// </summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>
    /// Serve the demo routes (<c>/</c> with the bundled site, <c>/hello</c>, <c>/echo</c>, <c>/crash</c>,
    /// <c>/upload</c>, <c>/private/</c> with the user demo:demo, <c>/gateway/…</c>, …). Off by default:
    /// an application serves only its own routes; the ActorHttp.Server executable turns it on.
    /// </summary>
    public bool DemoRoutes { get; init; }

    /// <summary>Routes of the caller's own, added after the demo routes.</summary>
    public Action<RouteBuilder>? Routes { get; init; }

    /// <summary>Where logs go; by default a logger built from <c>actorhttp.logging</c>.</summary>
    public Serilog.ILogger? Logger { get; init; }
}

/// <summary>
/// A running server: a generic host that serves HTTP, with an Akka actor system for the actor model,
/// or one of the other models' servers (<see cref="ModelServer"/>) as a hosted service of its own.
/// </summary>
public sealed class ActorHttpServer : IAsyncDisposable
{
    private readonly HttpMessageInvoker _proxyClient;

    private ActorHttpServer(IHost host, IPEndPoint endpoint, ServerSettings settings, HttpMessageInvoker proxyClient)
    {
        _proxyClient = proxyClient;
        Host = host;
        Endpoint = endpoint;
        Settings = settings;
    }

    public IHost Host { get; }

    public IPEndPoint Endpoint { get; }

    public ServerSettings Settings { get; }

    /// <summary>The actor system; only the actor model has one (the others start no Akka at all, so that they are measured alone).</summary>
    public ActorSystem System => Host.Services.GetRequiredService<ActorSystem>();

    public static async Task<ActorHttpServer> StartAsync(ServerOptions options, CancellationToken cancellationToken = default)
    {
        try
        {
            return await StartConfiguredAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (Akka.Configuration.ConfigurationException error)
        {
            // The message names the key; an operator who set it in the environment needs the variable.
            var message = ServerConfiguration.NameTheVariable(error.Message, options.Environment);
            if (message == error.Message)
            {
                throw;
            }

            throw new Akka.Configuration.ConfigurationException(message, error);
        }
    }

    private static async Task<ActorHttpServer> StartConfiguredAsync(ServerOptions options, CancellationToken cancellationToken)
    {
        var config = ServerConfiguration.Load(options.ConfigFiles, options.ConfigOverrides, options.Host, options.Port, options.StaticRoot, options.Environment, options.Model);
        var settings = ServerSettings.FromConfig(config);
        var cluster = ClusterSettings.FromConfig(config);
        var persistence = PersistenceSettings.FromConfig(config);
        if (cluster.Enabled && settings.Model != ConcurrencyModel.Actors)
        {
            // The other models start no actor system: a cluster would silently not be joined.
            throw new Akka.Configuration.ConfigurationException(
                $"actorhttp.cluster.enabled = on needs actorhttp.server.model = \"actors\" (sharded routes are actors), not \"{settings.Model.ToString().ToLowerInvariant()}\"");
        }
        if (options.DemoRoutes)
        {
            // The configured rules first: of two rules for one prefix, the first found wins.
            settings = settings with { RateLimits = [.. settings.RateLimits, .. DemoRoutes.RateLimits] };
        }

        var logger = options.Logger ?? LogSetup.CreateLogger(config);
        var accessLog = LogSetup.CreateAccessLog(config, settings, logger, options.Logger);

        var listenSocket = AkkaBuilderExtensions.BindListenSocket(settings);
        var endpoint = (IPEndPoint)listenSocket.LocalEndPoint!;

        // One client for every proxy route: it pools upstream connections across requests.
        var proxyClient = new HttpMessageInvoker(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        });
        var routes = new RouteBuilder();
        if (options.DemoRoutes)
        {
            routes.AddDemoRoutes(StaticFileSettings.FromConfig(config), UploadSettings.FromConfig(config)).AddDemoGateways(endpoint.Port, proxyClient);
            if (cluster.Enabled && settings.Model == ConcurrencyModel.Actors)
            {
                // Sharded entities need the cluster: without it the demo serves no /carts (docs/cluster.md).
                routes.AddDemoCarts();
            }
        }
        else if (options.StaticRoot is not null)
        {
            // Without the demo, a folder asked for explicitly (--root) is still served at /: a
            // plain static site, with none of the demo's other routes.
            routes.MapStaticFiles("/", StaticFileSettings.FromConfig(config));
        }

        foreach (var redirect in RedirectRule.FromConfig(config))
        {
            routes.MapRedirect(redirect);
        }

        foreach (var proxy in ProxyRoute.FromConfig(config, $"127.0.0.1:{endpoint.Port}"))
        {
            routes.MapProxy(proxy, proxyClient);
        }

        options.Routes?.Invoke(routes);
        var auth = options.DemoRoutes
            ? AuthSettings.FromConfig(config, DemoRoutes.AuthRules, DemoRoutes.Users)
            : AuthSettings.FromConfig(config);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
        });
        builder.Services.AddSerilog(logger, dispose: options.Logger is null);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = settings.ShutdownTimeout + TimeSpan.FromSeconds(5));
        if (accessLog is not null)
        {
            // Hosted services stop in reverse order: registered before Akka, the access log stops
            // after the connections have, and writes their last lines. The container disposes it.
            builder.Services.AddSingleton(_ => accessLog);
            builder.Services.AddHostedService(services => services.GetRequiredService<AccessLogWriter>());
        }

        if (settings.Model == ConcurrencyModel.Actors)
        {
            if (cluster.Enabled)
            {
                persistence.PrepareStore();
            }

            builder.Services.AddAkka(ClusterSettings.SystemName, akka =>
            {
                akka.AddHocon(config, HoconAddMode.Prepend)
                    .AddHocon(persistence.ToHocon(), HoconAddMode.Prepend)
                    .ConfigureLoggers(loggers =>
                    {
                        loggers.LogLevel = LogSetup.AkkaLevel(config);
                        loggers.ClearLoggers();
                        loggers.AddLoggerFactory();
                    })
                    .WithActorHttpCluster(cluster, routes.Routes)
                    .WithActorHttpServer(settings, routes.Routes, listenSocket, auth, accessLog, logger, cluster);
            });
        }
        else
        {
            // No actor system: its scheduler and dispatcher threads would run beside the model being
            // measured. Hosted services stop in reverse order, so the model server drains before the
            // access log (registered first) stops and writes the last lines.
            var modelRoutes = options.ModelRoutes ?? ModelRoutesFor(options, settings, config).Resolve;
            builder.Services.AddHostedService(_ => ModelServer.Create(listenSocket, settings, modelRoutes, logger, accessLog));
        }

        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            listenSocket.Dispose();
            host.Dispose();
            proxyClient.Dispose();
            throw;
        }

        return new ActorHttpServer(host, endpoint, settings, proxyClient);
    }

    /// <summary>
    /// What a model other than actors serves: the study's shared routes (the same handler code the
    /// actor demo runs) with the demo; without it, the folder given by --root alone, or nothing (404).
    /// The counter is a plain field where one thread calls every handler, and Interlocked elsewhere.
    /// </summary>
    private static SharedRoutes ModelRoutesFor(ServerOptions options, ServerSettings settings, Akka.Configuration.Config config)
    {
        if (options.DemoRoutes)
        {
            IRequestCounter counter = settings.Models.CallsHandlersFromOneThread(settings.Model) ? new SingleThreadCounter() : new InterlockedCounter();
            return SharedRoutes.Create(StaticFileSettings.FromConfig(config), counter);
        }

        return options.StaticRoot is null
            ? new SharedRoutes([])
            : new SharedRoutes([new(["GET"], "/{*path}", new StaticFileRequestHandler(StaticFileSettings.FromConfig(config)))]);
    }

    /// <summary>Graceful stop: stop accepting, let requests finish within <c>shutdown-timeout</c>, close the rest.</summary>
    public Task StopAsync() => Host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        Host.Dispose();
        _proxyClient.Dispose();
    }
}
