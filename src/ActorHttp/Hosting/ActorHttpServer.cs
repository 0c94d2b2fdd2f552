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
using ActorHttp.Observability;
using ActorHttp.Protocol;
using ActorHttp.Routing;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Serilog;

namespace ActorHttp.Hosting;

/// <summary>How to start a server: where its settings come from and which routes it serves.</summary>
public sealed record ServerOptions
{
    /// <summary>HOCON files (<c>--config</c>), each overriding the defaults and the files before it.</summary>
    public IReadOnlyList<string> ConfigFiles { get; init; } = [];

    /// <summary>The address to listen on (<c>--host</c>), over <c>actorhttp.server.host</c>.</summary>
    public string? Host { get; init; }

    /// <summary>The port (<c>--port</c>; 0 picks a free one, see <see cref="ActorHttpServer.Endpoint"/>), over <c>actorhttp.server.port</c>.</summary>
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

    /// <summary>
    /// Registers the application's services in the server's container (<c>services.AddHttpClient()</c>,
    /// <c>services.AddScoped&lt;…&gt;()</c>): handlers mapped by type (<c>routes.MapGet&lt;WeatherHandler&gt;(…)</c>)
    /// get their constructor's parameters from it. An application with a host of its own adds the
    /// server to it instead (<see cref="AkkaBuilderExtensions.WithActorHttpServer"/>).
    /// </summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>
    /// Where logs go (the server's own, Akka's and the access log). Without it, they go where
    /// <see cref="Logging"/> says, or else to Serilog's shared <see cref="Serilog.Log.Logger"/> as it
    /// is at start: silent until the application configures it, so the library never writes to the
    /// console on its own.
    /// </summary>
    public Serilog.ILogger? Logger { get; init; }

    /// <summary>
    /// Logging built from <c>actorhttp.logging</c> by a host that owns the process's output (the
    /// ActorHttp.Server executable logs to the console); ignored when <see cref="Logger"/> is given.
    /// </summary>
    public IServerLogging? Logging { get; init; }
}

/// <summary>
/// A running server: a generic host that serves HTTP, with an Akka actor system for the actor model,
/// or one of the other models' servers (<see cref="ModelServer"/>) as a hosted service of its own.
/// </summary>
public sealed class ActorHttpServer : IAsyncDisposable
{
    private readonly HttpMessageInvoker _proxyClient;

    private ActorHttpServer(IHost host, IPEndPoint endpoint, ServerSettings settings, HttpMessageInvoker proxyClient, ServerObservability? observability, IPEndPoint? metricsEndpoint)
    {
        _proxyClient = proxyClient;
        Host = host;
        Endpoint = endpoint;
        Settings = settings;
        Observability = observability;
        MetricsEndpoint = metricsEndpoint;
    }

    /// <summary>The generic host the server runs in (its services, its lifetime).</summary>
    public IHost Host { get; }

    /// <summary>Where it listens, with the real port when 0 was asked for.</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>The settings it runs with, as read from the configuration.</summary>
    public ServerSettings Settings { get; }

    /// <summary>The server's metrics, readiness and telemetry settings; null for the models other than actors (they have none yet).</summary>
    public ServerObservability? Observability { get; }

    /// <summary>Where <c>/metrics</c> listens when <c>actorhttp.metrics.port</c> gives it a port of its own; null otherwise.</summary>
    public IPEndPoint? MetricsEndpoint { get; }

    /// <summary>The actor system; only the actor model has one (the others start no Akka at all, so that they are measured alone).</summary>
    public ActorSystem System => Host.Services.GetRequiredService<ActorSystem>();

    /// <summary>
    /// Loads the configuration, binds the socket (a port in use fails here) and starts serving; the
    /// server is listening when the task completes.
    /// </summary>
    /// <exception cref="Akka.Configuration.ConfigurationException">A setting is wrong; the message names its key (and variable).</exception>
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

        var logger = LogSetup.CreateLogger(config, options.Logger, options.Logging);
        var accessLog = LogSetup.CreateAccessLog(config, settings, logger, options.Logger, options.Logging);

        var observabilitySettings = ObservabilitySettings.FromConfig(config);
        var listenSocket = AkkaBuilderExtensions.BindListenSocket(settings);
        var endpoint = (IPEndPoint)listenSocket.LocalEndPoint!;
        System.Net.Sockets.Socket? metricsSocket;
        try
        {
            metricsSocket = settings.Model == ConcurrencyModel.Actors ? ServerObservability.BindMetricsSocket(observabilitySettings, settings) : null;
        }
        catch
        {
            listenSocket.Dispose();
            throw;
        }

        // Traces exported here (an OTLP endpoint) are sampled by this server's own sampler, which the
        // connections ask before they make an activity; otherwise the application's listeners decide.
        var traceSampler = observabilitySettings.OtlpEndpoint.Length > 0 ? ServerTracing.Sampler(observabilitySettings.SamplingRatio) : null;
        var observability = settings.Model == ConcurrencyModel.Actors ? new ServerObservability(observabilitySettings, new ServerMetrics(), metricsSocket, traceSampler) : null;

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
        // Only a logger built here for this server is disposed with it, never the caller's nor the shared one.
        builder.Services.AddSerilog(logger, dispose: options.Logger is null && options.Logging is not null);
        options.ConfigureServices?.Invoke(builder.Services);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = settings.ShutdownTimeout + TimeSpan.FromSeconds(5));
        if (accessLog is not null)
        {
            // Hosted services stop in reverse order: registered before Akka, the access log stops
            // after the connections have, and writes their last lines. The container disposes it.
            builder.Services.AddSingleton(_ => accessLog);
            builder.Services.AddHostedService(services => services.GetRequiredService<AccessLogWriter>());
        }

        if (observability is not null)
        {
            // The container disposes it (the Prometheus adapter, the meter) when the host is disposed.
            builder.Services.AddSingleton(observability);
            builder.Services.AddHealthChecks();
            AddOpenTelemetry(builder.Services, observabilitySettings, traceSampler);
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
                    .WithActorHttpServer(settings, routes.Routes, listenSocket, auth, accessLog, logger, observability, cluster);
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
            metricsSocket?.Dispose();
            host.Dispose();
            proxyClient.Dispose();
            throw;
        }

        return new ActorHttpServer(host, endpoint, settings, proxyClient, observability, metricsSocket?.LocalEndPoint as IPEndPoint);
    }

    /// <summary>
    /// With <c>actorhttp.telemetry.otlp-endpoint</c> set: the request activities (source
    /// <c>ActorHttp</c>, sampled at <c>actorhttp.telemetry.sampling-ratio</c>) and the meter
    /// <c>ActorHttp</c> exported over OTLP by OpenTelemetry's SDK. Otherwise nothing: activities are then made only for a listener the application adds.
    /// </summary>
    private static void AddOpenTelemetry(IServiceCollection services, ObservabilitySettings settings, RequestTraceSampler? traceSampler)
    {
        if (traceSampler is null)
        {
            return;
        }

        var endpoint = new Uri(settings.OtlpEndpoint);
        var protocol = settings.OtlpProtocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(settings.ServiceName))
            .WithTracing(tracing => tracing.AddServerTracing(traceSampler).AddOtlpExporter(otlp => Export(otlp, "traces")))
            .WithMetrics(metrics => metrics.AddMeter(ServerMetrics.MeterName).AddOtlpExporter(otlp => Export(otlp, "metrics")));

        // Over HTTP each signal has a path of its own under the collector's address, added here as
        // OpenTelemetry adds it to OTEL_EXPORTER_OTLP_ENDPOINT (an endpoint set in code is used as it is).
        void Export(OtlpExporterOptions otlp, string signal)
        {
            otlp.Protocol = protocol;
            otlp.Endpoint = protocol == OtlpExportProtocol.Grpc
                ? endpoint
                : new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + "/v1/" + signal);
        }
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

    /// <summary>Stops gracefully (see <see cref="StopAsync"/>) and releases the host.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        Host.Dispose();
        _proxyClient.Dispose();
    }
}
