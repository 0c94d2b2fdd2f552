using ActorHttp.Actors;
using ActorHttp.Handlers.Proxy;
using Akka.Actor;

namespace ActorHttp.Hosting;

/// <summary>Collects the routes a server serves, in code: <c>routes.MapGet("/users/{id}", Props.Create&lt;UserHandler&gt;())</c>.</summary>
public sealed class RouteBuilder
{
    private readonly List<RouteRegistration> _routes = [];

    public IReadOnlyList<RouteRegistration> Routes => _routes;

    /// <summary>Serves <paramref name="template"/> for the given methods (null: every standard method).</summary>
    public RouteBuilder Map(IReadOnlyList<string>? methods, string template, Props handler, int? instances = null)
    {
        _routes.Add(new RouteRegistration(methods, template, handler, instances));
        return this;
    }

    public RouteBuilder MapGet(string template, Props handler, int? instances = null) => Map(["GET"], template, handler, instances);

    public RouteBuilder MapPost(string template, Props handler, int? instances = null) => Map(["POST"], template, handler, instances);

    public RouteBuilder MapAny(string template, Props handler, int? instances = null) => Map(null, template, handler, instances);

    /// <summary>Forwards every request under <c>route.Prefix</c> (any method) to the route's upstream.</summary>
    public RouteBuilder MapProxy(ProxyRoute route, HttpMessageInvoker client, int? instances = null) =>
        Map(null, route.Prefix.TrimEnd('/') + "/{*rest}", ReverseProxyHandler.Props(route, client), instances);
}
