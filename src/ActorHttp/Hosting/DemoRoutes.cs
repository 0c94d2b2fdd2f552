using ActorHttp.Handlers.Demo;
using ActorHttp.Handlers.Proxy;
using Akka.Actor;

namespace ActorHttp.Hosting;

/// <summary>The routes a default run serves (scripts and tests outside the project rely on them).</summary>
public static class DemoRoutes
{
    public static RouteBuilder AddDemoRoutes(this RouteBuilder routes) => routes
        .MapGet("/", Props.Create<IndexHandler>())
        .MapGet("/hello", Props.Create<HelloHandler>())
        .MapGet("/json", Props.Create<JsonHandler>())
        .MapAny("/echo", Props.Create<EchoHandler>())
        .MapAny("/echo/{*rest}", Props.Create<EchoHandler>())
        .MapGet("/crash", Props.Create<CrashHandler>())
        .MapGet("/slow", Props.Create<SlowHandler>())
        .MapGet("/counter", Props.Create<CounterHandler>(), instances: 1);

    /// <summary>
    /// The demo's gateways: <c>/gateway/down/…</c> proxies to a port where nothing listens (502) and
    /// <c>/gateway/slow</c> to this server's own <c>/slow?ms=5000</c> with a 1 s timeout (504).
    /// </summary>
    public static RouteBuilder AddDemoGateways(this RouteBuilder routes, int ownPort, HttpMessageInvoker client) => routes
        .MapProxy(new ProxyRoute("/gateway/down", new Uri("http://127.0.0.1:1/"), TimeSpan.FromSeconds(5)), client)
        .MapProxy(new ProxyRoute("/gateway/slow", new Uri($"http://127.0.0.1:{ownPort}/slow?ms=5000"), TimeSpan.FromSeconds(1)), client);
}
