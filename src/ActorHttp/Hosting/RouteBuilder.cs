using ActorHttp.Actors;
using ActorHttp.Handlers;
using ActorHttp.Cluster;
using ActorHttp.Handlers.Proxy;
using ActorHttp.Handlers.Redirects;
using ActorHttp.Handlers.StaticFiles;
using ActorHttp.Handlers.Uploads;
using ActorHttp.Protocol;
using ActorHttp.Routing;
using Akka.Actor;

namespace ActorHttp.Hosting;

/// <summary>
/// Collects the routes a server serves, in code. A route's handler is a handler actor built from the
/// application's services (<c>routes.MapGet&lt;UserHandler&gt;("/users/{id:int}")</c>), from
/// <see cref="Props"/> (<c>routes.MapGet("/users/{id}", Props.Create&lt;UserHandler&gt;())</c>), or a
/// function (<c>routes.MapGet("/hello", ctx =&gt; HttpResponse.Text(200, "hi"))</c>), run by a
/// supervised handler actor all the same. Templates are checked here, so a mistake in one (an
/// unknown constraint, an invalid regex) throws at the call that registers it.
/// </summary>
public sealed class RouteBuilder
{
    private readonly List<RouteRegistration> _routes;
    private readonly IReadOnlyList<string>? _hosts;

    /// <summary>An empty set of routes, for every host.</summary>
    public RouteBuilder()
        : this([], null)
    {
    }

    private RouteBuilder(List<RouteRegistration> routes, IReadOnlyList<string>? hosts)
    {
        _routes = routes;
        _hosts = hosts;
    }

    /// <summary>The routes mapped so far, in order (what <c>WithActorHttpServer</c> takes).</summary>
    public IReadOnlyList<RouteRegistration> Routes => _routes;

    /// <summary>
    /// Serves <paramref name="template"/> for the given methods (null: every standard method). With a
    /// <paramref name="streamedBodyLimit"/>, the handler reads request bodies piece by piece as they
    /// arrive (<c>RequestContext.ReadBody</c>), up to that many bytes, instead of getting them whole.
    /// </summary>
    /// <exception cref="ArgumentException">The template is malformed; the message says how.</exception>
    public RouteBuilder Map(IReadOnlyList<string>? methods, string template, HandlerSource handler, int? instances = null, long? streamedBodyLimit = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        RouteTemplate.Parse(template);
        return Add(new RouteRegistration(methods, template, handler, instances, _hosts, streamedBodyLimit));
    }

    private RouteBuilder Add(RouteRegistration route)
    {
        ShardedRoute.Validate(route);
        _routes.Add(route);
        return this;
    }

    /// <summary>
    /// Serves <paramref name="template"/> with handler actors of type <typeparamref name="THandler"/>
    /// built from the application's services: each constructor parameter is resolved from the
    /// container, each handler instance in a service scope of its own, replaced on a restart.
    /// </summary>
    public RouteBuilder Map<THandler>(IReadOnlyList<string>? methods, string template, int? instances = null, long? streamedBodyLimit = null)
        where THandler : HttpHandlerActor => Map(methods, template, HandlerSource.FromServices<THandler>(), instances, streamedBodyLimit);

    /// <summary>Serves <paramref name="template"/> with a function, run by a supervised handler actor (<see cref="FunctionHandler"/>); it must not block.</summary>
    public RouteBuilder Map(IReadOnlyList<string>? methods, string template, Func<RequestContext, HttpResponse> handler, int? instances = null) =>
        Map(methods, template, FunctionHandler.Props(handler), instances);

    /// <summary>
    /// Serves <paramref name="template"/> with an async function (<see cref="AsyncFunctionHandler"/>),
    /// whose token fires when the client goes away or the answer's deadline passes.
    /// </summary>
    public RouteBuilder Map(IReadOnlyList<string>? methods, string template, Func<RequestContext, CancellationToken, Task<HttpResponse>> handler, int? instances = null) =>
        Map(methods, template, AsyncFunctionHandler.Props(handler), instances);

    /// <summary>
    /// Routes served only for requests whose Host is one of <paramref name="hosts"/> (exact names or
    /// <c>*.example.com</c>): <c>routes.ForHosts(["api.example.com"], api => api.MapGet(...))</c>.
    /// </summary>
    public RouteBuilder ForHosts(IReadOnlyList<string> hosts, Action<RouteBuilder> configure)
    {
        configure(new RouteBuilder(_routes, hosts));
        return this;
    }

    /// <summary>
    /// Serves <paramref name="template"/> with entities sharded across the cluster
    /// (<c>actorhttp.cluster.enabled = on</c>): <c>routes.MapSharded&lt;CartEntity&gt;("/carts/{id}", typeName: "cart", entityId: "id")</c>.
    /// Each request goes to the entity named by the route parameter <paramref name="entityId"/>, one
    /// actor per id in the whole cluster, started on demand on some node and answering the connection
    /// directly. The entity receives <see cref="HandleRequest"/> messages: an <see cref="Handlers.HttpHandlerActor"/>
    /// or <see cref="Handlers.PersistentHttpEntity"/> serves them like any handler, a crash answering 500.
    /// Routes sharing a <paramref name="typeName"/> share the entities (and must name the same entity type).
    /// Request bodies arrive whole, up to <c>actorhttp.cluster.sharding.max-request-body-bytes</c>;
    /// answers must be complete (not streamed): both cross nodes in one message.
    /// </summary>
    /// <param name="entityProps">How to make the entity of an id; by default <typeparamref name="TEntity"/>'s constructor taking the id (a string).</param>
    /// <exception cref="ArgumentException">The template lacks the entity parameter, the type name is taken by another entity type, or <typeparamref name="TEntity"/> cannot be built from an id.</exception>
    public RouteBuilder MapSharded<TEntity>(string template, string typeName, string entityId, IReadOnlyList<string>? methods = null, Func<string, Props>? entityProps = null)
        where TEntity : ActorBase
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(typeName);
        ArgumentException.ThrowIfNullOrWhiteSpace(entityId);
        var parameters = Routing.RouteTemplate.Parse(template).Segments;
        if (!parameters.Any(s => s.Kind == Routing.RouteSegmentKind.Parameter && s.Value == entityId))
        {
            throw new ArgumentException($"Sharded route {template}: the entity id parameter {{{entityId}}} is not a segment of the template", nameof(entityId));
        }

        if (_routes.FirstOrDefault(r => r.Sharded is { } other && (other.TypeName == typeName) != (other.EntityType == typeof(TEntity))) is { } clash)
        {
            throw new ArgumentException(
                $"Sharded route {template}: {typeof(TEntity).Name} as type {typeName} clashes with route {clash.Template} ({clash.Sharded!.EntityType.Name} as type {clash.Sharded.TypeName}); one entity type per type name", nameof(typeName));
        }

        if (entityProps is null && typeof(TEntity).GetConstructor([typeof(string)]) is null)
        {
            throw new ArgumentException($"Sharded route {template}: {typeof(TEntity).Name} has no constructor taking the entity id (a string); pass entityProps", nameof(entityProps));
        }

        var props = entityProps ?? (id => Props.Create(typeof(TEntity), id));
        return Add(new RouteRegistration(methods, template, Props.Empty, Hosts: _hosts, Sharded: ShardedRoute.For<TEntity>(typeName, entityId, props)));
    }

    /// <summary>Serves GET (and HEAD) of <paramref name="template"/> (<c>/users/{id}</c>, <c>/files/{*rest}</c>) with <paramref name="instances"/> handler actors made from <paramref name="handler"/>.</summary>
    public RouteBuilder MapGet(string template, Props handler, int? instances = null) => Map(["GET"], template, handler, instances);

    /// <summary>Serves POST of <paramref name="template"/> with handler actors made from <paramref name="handler"/>.</summary>
    public RouteBuilder MapPost(string template, Props handler, int? instances = null) => Map(["POST"], template, handler, instances);

    public RouteBuilder MapPut(string template, Props handler, int? instances = null) => Map(["PUT"], template, handler, instances);

    public RouteBuilder MapDelete(string template, Props handler, int? instances = null) => Map(["DELETE"], template, handler, instances);

    /// <summary>Serves every standard method of <paramref name="template"/> with handler actors made from <paramref name="handler"/>.</summary>
    public RouteBuilder MapAny(string template, Props handler, int? instances = null) => Map(null, template, handler, instances);

    public RouteBuilder MapGet<THandler>(string template, int? instances = null) where THandler : HttpHandlerActor => Map<THandler>(["GET"], template, instances);

    public RouteBuilder MapPost<THandler>(string template, int? instances = null) where THandler : HttpHandlerActor => Map<THandler>(["POST"], template, instances);

    public RouteBuilder MapPut<THandler>(string template, int? instances = null) where THandler : HttpHandlerActor => Map<THandler>(["PUT"], template, instances);

    public RouteBuilder MapDelete<THandler>(string template, int? instances = null) where THandler : HttpHandlerActor => Map<THandler>(["DELETE"], template, instances);

    public RouteBuilder MapAny<THandler>(string template, int? instances = null) where THandler : HttpHandlerActor => Map<THandler>(null, template, instances);

    public RouteBuilder MapGet(string template, Func<RequestContext, HttpResponse> handler, int? instances = null) => Map(["GET"], template, handler, instances);

    public RouteBuilder MapPost(string template, Func<RequestContext, HttpResponse> handler, int? instances = null) => Map(["POST"], template, handler, instances);

    public RouteBuilder MapPut(string template, Func<RequestContext, HttpResponse> handler, int? instances = null) => Map(["PUT"], template, handler, instances);

    public RouteBuilder MapDelete(string template, Func<RequestContext, HttpResponse> handler, int? instances = null) => Map(["DELETE"], template, handler, instances);

    public RouteBuilder MapAny(string template, Func<RequestContext, HttpResponse> handler, int? instances = null) => Map(null, template, handler, instances);

    public RouteBuilder MapGet(string template, Func<RequestContext, CancellationToken, Task<HttpResponse>> handler, int? instances = null) => Map(["GET"], template, handler, instances);

    public RouteBuilder MapPost(string template, Func<RequestContext, CancellationToken, Task<HttpResponse>> handler, int? instances = null) => Map(["POST"], template, handler, instances);

    public RouteBuilder MapPut(string template, Func<RequestContext, CancellationToken, Task<HttpResponse>> handler, int? instances = null) => Map(["PUT"], template, handler, instances);

    public RouteBuilder MapDelete(string template, Func<RequestContext, CancellationToken, Task<HttpResponse>> handler, int? instances = null) => Map(["DELETE"], template, handler, instances);

    public RouteBuilder MapAny(string template, Func<RequestContext, CancellationToken, Task<HttpResponse>> handler, int? instances = null) => Map(null, template, handler, instances);

    /// <summary>Serves the files below <c>settings.Root</c> for GET and HEAD under <paramref name="prefix"/> (the least specific route).</summary>
    public RouteBuilder MapStaticFiles(string prefix, StaticFileSettings settings, int? instances = null) =>
        Map(["GET"], prefix.TrimEnd('/') + "/{*path}", StaticFileHandler.Props(settings), instances);

    /// <summary>
    /// Takes uploads by POST at <paramref name="template"/> with an <see cref="UploadHandler"/>: bodies
    /// are streamed to its folder as they arrive, up to <c>settings.MaxBytes</c> (more: 413).
    /// </summary>
    public RouteBuilder MapUploads(string template, UploadSettings settings, int? instances = null) =>
        Map(["POST"], template, UploadHandler.Props(settings), instances, settings.MaxBytes);

    /// <summary>Serves a redirect rule (any method) with a <see cref="RedirectHandler"/>.</summary>
    public RouteBuilder MapRedirect(RedirectRule rule) => Map(null, rule.From, RedirectHandler.Props(RedirectRule.Validated(rule)), instances: 1);

    /// <summary>Forwards every request under <c>route.Prefix</c> (any method) to the route's upstream, request bodies streamed.</summary>
    public RouteBuilder MapProxy(ProxyRoute route, HttpMessageInvoker client, int? instances = null) =>
        route.Hosts is { } hosts
            ? ForHosts(hosts, scoped => scoped.MapProxy(route with { Hosts = null }, client, instances))
            : Map(null, route.Prefix.TrimEnd('/') + "/{*rest}", ReverseProxyHandler.Props(route, client), instances, route.MaxBodyBytes);
}
