using System.Globalization;
using ActorHttp.Cluster;
using ActorHttp.Handlers.Auth;
using ActorHttp.Observability;
using ActorHttp.Protocol;
using ActorHttp.Routing;
using Akka.Actor;

namespace ActorHttp.Actors;

/// <summary>
/// A route as registered: which methods, which path template, which handler (<see cref="HandlerSource"/>:
/// <c>Props</c>, or a type built from the application's services), how many of it, and for which host
/// names (<c>example.com</c>, <c>*.example.com</c>; null: requests of any other host).
/// A <paramref name="StreamedBodyLimit"/> makes the route's handler read request bodies as they
/// arrive (<see cref="HttpRequest.BodyStreamed"/>), up to that many bytes (more: 413), instead of
/// receiving them whole within <c>limits.max-body-bytes</c>.
/// A <paramref name="Sharded"/> route has no handlers of its own: its requests go to the entity its
/// route parameter names, through the cluster's shard region (<see cref="Handler"/> is unused).
/// </summary>
public sealed record RouteRegistration(
    IReadOnlyList<string>? Methods,
    string Template,
    HandlerSource Handler,
    int? Instances = null,
    IReadOnlyList<string>? Hosts = null,
    long? StreamedBodyLimit = null,
    ShardedRoute? Sharded = null);

/// <summary>The shard regions of the sharded routes, by type name, and the largest body they take.</summary>
public sealed record ShardRegions(IReadOnlyDictionary<string, IActorRef> Regions, long MaxRequestBodyBytes)
{
    public static readonly ShardRegions None = new(new Dictionary<string, IActorRef>(), 0);
}

/// <summary>
/// Matches each request against the route table and forwards it to one of the route's handler
/// actors (round-robin), keeping the connection as the sender so the handler answers the connection
/// directly. The handlers are children of the route's supervisor, which tells this actor who they
/// are. What no route serves it answers itself: 404, 405 with <c>Allow</c>, 501, and <c>OPTIONS</c>;
/// and 429 to requests over a rate limit.
/// </summary>
public sealed class RouterActor : ReceiveActor
{
    private readonly HostRouteTables<RouteEndpoint> _tables;
    private readonly Dictionary<IActorRef, RouteEndpoint> _endpoints = [];
    private readonly AuthSettings _auth;
    private readonly IReadOnlyList<CorsPolicy> _cors;
    private readonly IActorRef[] _authenticators;
    private readonly RateLimits _rateLimits;
    private readonly ShardRegions _shardRegions;
    private int _nextAuthenticator;

    public RouterActor(
        IReadOnlyList<RouteRegistration> routes,
        SupervisionSettings supervision,
        AuthSettings? auth = null,
        IReadOnlyList<CorsPolicy>? cors = null,
        IReadOnlyList<RateLimitRule>? rateLimits = null,
        ServerMetrics? metrics = null,
        ShardRegions? shardRegions = null)
    {
        _shardRegions = shardRegions ?? ShardRegions.None;
        _cors = cors ?? [];
        _rateLimits = new RateLimits(rateLimits ?? []);
        _auth = auth ?? AuthSettings.None;
        _authenticators = _auth.Rules.Count == 0
            ? []
            : Enumerable.Range(0, supervision.HandlerInstances).Select(i => Context.ActorOf(AuthenticationActor.Props(_auth.Users), $"authenticator-{i}")).ToArray();
        var definitions = new List<(RouteDefinition<RouteEndpoint>, IReadOnlyList<string>?)>(routes.Count);
        for (var i = 0; i < routes.Count; i++)
        {
            var route = routes[i];
            if (route.Sharded is { } sharded)
            {
                var region = _shardRegions.Regions.TryGetValue(sharded.TypeName, out var found)
                    ? found
                    : throw new InvalidOperationException($"No shard region was started for the sharded route {route.Template} (type {sharded.TypeName})");
                definitions.Add((new RouteDefinition<RouteEndpoint>(route.Methods, route.Template, new RouteEndpoint(region, route.Template, sharded)), route.Hosts));
                continue;
            }

            var instances = route.Instances ?? supervision.HandlerInstances;
            var supervisor = Context.ActorOf(RouteSupervisorActor.Props(route.Handler.PropsFor(Context.System), instances, supervision, route.Template, metrics), $"route-{i}");
            var endpoint = new RouteEndpoint(supervisor, route.Template);
            _endpoints.Add(supervisor, endpoint);
            definitions.Add((new RouteDefinition<RouteEndpoint>(route.Methods, route.Template, endpoint), route.Hosts));
        }

        _tables = new HostRouteTables<RouteEndpoint>(definitions);
        Receive<HandleRequest>(Route);
        Receive<RouteHandlersChanged>(changed => _endpoints[changed.Supervisor].Handlers = changed.Handlers);
    }

    public static Props Props(
        IReadOnlyList<RouteRegistration> routes,
        SupervisionSettings supervision,
        AuthSettings? auth = null,
        IReadOnlyList<CorsPolicy>? cors = null,
        IReadOnlyList<RateLimitRule>? rateLimits = null,
        ServerMetrics? metrics = null,
        ShardRegions? shardRegions = null) =>
        Akka.Actor.Props.Create(() => new RouterActor(routes, supervision, auth, cors, rateLimits, metrics, shardRegions));

    protected override void PostStop() => _rateLimits.Dispose();

    private void Route(HandleRequest message)
    {
        if (!_rateLimits.IsEmpty && !WithinRateLimit(message))
        {
            return;
        }

        var request = message.Request;
        if (_cors.Count > 0 && request.Method == "OPTIONS" && request.Headers["Origin"] is { } origin
            && request.Headers["Access-Control-Request-Method"] is { } requestedMethod
            && CorsPolicy.For(_cors, request.Path) is { } policy)
        {
            Answer(message, Preflight(policy, origin, requestedMethod, request.Headers["Access-Control-Request-Headers"]));
            return;
        }

        var match = _tables.Match(request.Host, request.Method, request.Path);
        switch (match.Kind)
        {
            case RouteMatchKind.Found:
                // The route's name goes along only for an observed request: the copy costs an allocation.
                var routed = match.Values.Count == 0
                    ? message.Telemetry is null ? message : message with { Route = match.Target!.Template }
                    : message with { Request = request with { RouteValues = match.Values }, Route = message.Telemetry is null ? null : match.Target!.Template };
                Dispatch(match.Target!, routed);
                break;
            case RouteMatchKind.NotFound:
                Answer(message, HttpResponse.Text(404, $"No resource at {ErrorText.Printable(request.Path)}.\n"));
                break;
            case RouteMatchKind.MethodNotAllowed:
                Answer(message, HttpResponse.Text(405, $"{request.Method} is not allowed on {ErrorText.Printable(request.Path)}.\n")
                    .WithHeader("Allow", string.Join(", ", match.AllowedMethods)));
                break;
            case RouteMatchKind.Options:
                Answer(message, HttpResponse.Empty(204).WithHeader("Allow", string.Join(", ", match.AllowedMethods)));
                break;
            case RouteMatchKind.NotImplemented:
                Answer(message, HttpResponse.Text(501, $"The method {request.Method} is not implemented by this server.\n"));
                break;
        }
    }

    private void Dispatch(RouteEndpoint endpoint, HandleRequest message)
    {
        // No handler known here yet (or none alive): the supervisor decides.
        var handlers = endpoint.Handlers;
        var target = handlers.Length == 0 ? endpoint.Supervisor : handlers[endpoint.Next = (endpoint.Next + 1) % handlers.Length];
        if (_authenticators.Length > 0 && message.User is null && _auth.RuleFor(message.Request.Path) is { } rule)
        {
            _nextAuthenticator = (_nextAuthenticator + 1) % _authenticators.Length;
            // A per-user rate limit is counted here once the user is known (see WithinRateLimit); a
            // sharded request comes back here too, to be wrapped for its entity.
            var authenticated = CountedPerUser(message.Request.Path) || endpoint.Sharded is not null ? Self : target;
            _authenticators[_nextAuthenticator].Tell(new AuthenticateRequest(message, rule, authenticated));
            return;
        }

        if (endpoint.Sharded is { } sharded)
        {
            SendToEntity(endpoint.Supervisor, sharded, message);
            return;
        }

        target.Tell(message, message.Connection);
    }

    /// <summary>
    /// Hands a request of a sharded route to the local shard region, which delivers it to the entity
    /// wherever in the cluster it lives. The whole body travels with it, so it is bounded here.
    /// </summary>
    private void SendToEntity(IActorRef region, ShardedRoute sharded, HandleRequest message)
    {
        var request = message.Request;
        if (request.Body.Length > _shardRegions.MaxRequestBodyBytes)
        {
            Answer(message, HttpResponse.Text(413, $"This route takes request bodies of at most {_shardRegions.MaxRequestBodyBytes.ToString(CultureInfo.InvariantCulture)} bytes.\n"));
            return;
        }

        var entityId = request.RouteValues.TryGetValue(sharded.EntityIdParameter, out var id) ? id : string.Empty;
        region.Tell(new ShardedRequest(entityId, message), message.Connection);
    }

    /// <summary>
    /// nginx's <c>limit_req</c>: a request under a rate-limited prefix takes a token from its
    /// client's (or user's) bucket, or is answered 429. Checked before routing, so every request
    /// under the prefix counts, whatever it is answered, and a refused one costs no route match.
    /// </summary>
    private bool WithinRateLimit(HandleRequest message)
    {
        if (_rateLimits.For(message.Request.Path) is not { } buckets)
        {
            return true;
        }

        // A per-user limit on a protected path waits for the user: the authenticator hands the
        // request back to this router with it (see Dispatch), and it is counted then.
        var rule = buckets.Rule;
        if (rule.Key == RateLimitKey.User && message.User is null && _auth.RuleFor(message.Request.Path) is not null)
        {
            return true;
        }

        if (buckets.TryTake(rule.KeyFor(message.ClientAddress, message.User?.Name), out var retryAfter))
        {
            return true;
        }

        Answer(message, RateLimits.TooManyRequests(rule, retryAfter));
        return false;
    }

    private bool CountedPerUser(string path) => !_rateLimits.IsEmpty && _rateLimits.For(path)?.Rule.Key == RateLimitKey.User;

    /// <summary>
    /// A CORS preflight (Fetch standard, "CORS-preflight request"): 204 with the grants when the origin,
    /// method and headers are allowed; 403 saying what is not, otherwise.
    /// </summary>
    private static HttpResponse Preflight(CorsPolicy policy, string origin, string method, string? requestedHeaders)
    {
        var headers = (requestedHeaders ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var refused = !policy.Allows(origin) ? $"origin {ErrorText.Printable(origin)}"
            : !policy.Methods.Contains(method, StringComparer.Ordinal) ? $"method {ErrorText.Printable(method)}"
            : headers.FirstOrDefault(h => !policy.Headers.Contains(h, StringComparer.OrdinalIgnoreCase)) is { } header ? $"header {ErrorText.Printable(header)}"
            : null;
        if (refused is not null)
        {
            return HttpResponse.Text(403, $"Cross-origin request refused: {refused} is not allowed on {policy.Prefix}.\n").WithHeader("Vary", "Origin");
        }

        var response = HttpResponse.Empty(204)
            .WithHeader("Access-Control-Allow-Origin", policy.AllowOriginValue(origin))
            .WithHeader("Access-Control-Allow-Methods", string.Join(", ", policy.Methods))
            .WithHeader("Access-Control-Max-Age", ((int)policy.MaxAge.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithHeader("Vary", "Origin");
        if (policy.Headers.Count > 0)
        {
            response = response.WithHeader("Access-Control-Allow-Headers", string.Join(", ", policy.Headers));
        }

        return policy.Credentials ? response.WithHeader("Access-Control-Allow-Credentials", "true") : response;
    }

    private static void Answer(HandleRequest message, HttpResponse response) =>
        message.Connection.Tell(new ResponseReady(message.Sequence, response));
}

/// <summary>The router's view of one route: its supervisor and its handlers, or for a sharded route its shard region.</summary>
internal sealed class RouteEndpoint(IActorRef supervisor, string template, ShardedRoute? sharded = null)
{
    /// <summary>The route's supervisor; for a sharded route, the shard region.</summary>
    public IActorRef Supervisor { get; } = supervisor;

    /// <summary>The route's template, as metrics and traces name the route (<c>http.route</c>).</summary>
    public string Template { get; } = template;

    public ShardedRoute? Sharded { get; } = sharded;

    public IActorRef[] Handlers { get; set; } = [];

    public int Next { get; set; }
}
