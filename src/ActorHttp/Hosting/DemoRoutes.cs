using ActorHttp.Handlers.Demo;
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
}
