using ActorHttp.Handlers.Auth;
using ActorHttp.Handlers.Demo;
using ActorHttp.Handlers.Demo.Carts;
using ActorHttp.Handlers.Proxy;
using ActorHttp.Handlers.Redirects;
using ActorHttp.Handlers.StaticFiles;
using ActorHttp.Handlers.Uploads;
using ActorHttp.Routing;
using Akka.Actor;

namespace ActorHttp.Hosting;

/// <summary>The routes a default run serves (scripts and tests outside the project rely on them).</summary>
public static class DemoRoutes
{
    public static RouteBuilder AddDemoRoutes(this RouteBuilder routes, StaticFileSettings site, UploadSettings uploads) => routes
        .MapStaticFiles("/", site)
        .MapGet("/hello", Props.Create<HelloHandler>())
        .MapGet("/json", Props.Create<JsonHandler>())
        .MapAny("/echo", Props.Create<EchoHandler>())
        .MapAny("/echo/{*rest}", Props.Create<EchoHandler>())
        .MapGet("/crash", Props.Create<CrashHandler>())
        .MapGet("/unavailable", Props.Create<UnstartableHandler>(), instances: 1)
        .MapGet("/slow", Props.Create<SlowHandler>())
        .MapGet("/counter", Props.Create<CounterHandler>(), instances: 1)
        .MapGet("/cpu", Props.Create<CpuHandler>())
        .MapGet("/block", Props.Create<BlockHandler>())
        .MapGet("/limited", Props.Create<LimitedHandler>())
        .MapGet("/private/{*rest}", Props.Create<PrivateHandler>())
        .Map(["GET", "POST", "PUT", "DELETE"], "/api/items/{*rest}", Props.Create<ItemsHandler>(), instances: 1)
        .MapUploads("/upload", uploads)
        .MapRedirect(new RedirectRule("/old", "/", 301))
        .MapRedirect(new RedirectRule("/temporary", "/", 302));

    /// <summary>
    /// The demo's carts, event-sourced entities sharded across the cluster (served only with
    /// <c>actorhttp.cluster.enabled = on</c>): GET and POST <c>/carts/{id}</c>, DELETE <c>/carts/{id}/items/{sku}</c>.
    /// </summary>
    public static RouteBuilder AddDemoCarts(this RouteBuilder routes) => routes
        .MapSharded<CartEntity>("/carts/{id}", typeName: "cart", entityId: "id", methods: ["GET", "POST"])
        .MapSharded<CartEntity>("/carts/{id}/items/{sku}", typeName: "cart", entityId: "id", methods: ["DELETE"]);

    /// <summary>The demo's protected area: any known user under /private, the admin role under /private/admin.</summary>
    public static IReadOnlyList<AuthRule> AuthRules { get; } =
    [
        new("/private", ["basic", "bearer"], "ActorHttp demo", []),
        new("/private/admin", ["basic", "bearer"], "ActorHttp demo", ["admin"]),
    ];

    /// <summary>
    /// The demo's rate limit: 5 requests a second per client on <c>/limited</c>, in bursts of at most 5;
    /// a sixth request at once gets 429.
    /// </summary>
    public static IReadOnlyList<RateLimitRule> RateLimits { get; } =
    [
        new("/limited", Rate: 5, Period: TimeSpan.FromSeconds(1), Burst: 5, RateLimitKey.Client, RateLimitRule.DefaultMaxKeys),
    ];

    /// <summary>The demo's one user, <c>demo</c> with password <c>demo</c> and role <c>user</c> (a salted PBKDF2 hash, never the password).</summary>
    public static IReadOnlyList<string> Users { get; } =
    [
        "demo:100000:kpTDBu3qEUWp88AinIjXnA==:H16y1rIrhsGnSLod1OMgho1r/gBqeRIANxSDsVcUErc=:user",
    ];

    /// <summary>
    /// The demo's gateways: <c>/gateway/down/…</c> proxies to a port where nothing listens (502) and
    /// <c>/gateway/slow</c> to this server's own <c>/slow?ms=5000</c> with a 1 s timeout (504).
    /// </summary>
    public static RouteBuilder AddDemoGateways(this RouteBuilder routes, int ownPort, HttpMessageInvoker client) => routes
        .MapProxy(new ProxyRoute("/gateway/down", new Uri("http://127.0.0.1:1/"), TimeSpan.FromSeconds(5)), client)
        .MapProxy(new ProxyRoute("/gateway/slow", new Uri($"http://127.0.0.1:{ownPort}/slow?ms=5000"), TimeSpan.FromSeconds(1)), client);
}
