using ActorHttp.Handlers.StaticFiles;
using ActorHttp.Protocol;
using ActorHttp.Routing;

namespace ActorHttp.Handlers.Shared;

/// <summary>
/// A request ready to handle: <see cref="Request"/> carries the values its route's template bound
/// (<see cref="HttpRequest.RouteValues"/>), and <see cref="Handler"/> answers it, whether it is the
/// route's handler or one answering what no route serves.
/// </summary>
public readonly record struct ResolvedRequest(HttpRequest Request, IRequestHandler Handler)
{
    public HttpResponse Handle() => Handler.Handle(Request);

    public ValueTask<HttpResponse> HandleAsync(CancellationToken cancellationToken) => Handler.HandleAsync(Request, cancellationToken);
}

/// <summary>
/// The study's route table for the models that call handlers directly (threads, pool, event loop,
/// tasks): the same routes, handlers and routing answers as the actor model's demo, so only the
/// scheduling differs between models. What no route serves gets the router's answers: 404, 405 with
/// <c>Allow</c>, 501, and 204 with <c>Allow</c> for <c>OPTIONS</c>.
/// </summary>
public sealed class SharedRoutes(IEnumerable<RouteDefinition<IRequestHandler>> routes)
{
    private readonly RouteTable<IRequestHandler> _table = new(routes);

    /// <summary>
    /// The study's routes: <c>GET /hello</c>, <c>GET /json</c>, <c>/echo</c> and <c>/echo/{*rest}</c>
    /// (any method), <c>GET /counter</c> counting in <paramref name="counter"/>, <c>GET /slow</c>,
    /// <c>GET /crash</c>, <c>GET /cpu</c>, <c>GET /block</c>, and the files of <paramref name="site"/>
    /// at <c>/</c> (the least specific route) when given. Each handler is one instance for every
    /// request, so they must be (and are) safe to call from several threads at once.
    /// </summary>
    public static SharedRoutes Create(StaticFileSettings? site, IRequestCounter counter)
    {
        ArgumentNullException.ThrowIfNull(counter);
        string[] get = ["GET"];
        var echo = new EchoRequestHandler();
        List<RouteDefinition<IRequestHandler>> routes =
        [
            new(get, "/hello", new HelloRequestHandler()),
            new(get, "/json", new JsonRequestHandler()),
            new(null, "/echo", echo),
            new(null, "/echo/{*rest}", echo),
            new(get, "/counter", new CounterRequestHandler(counter)),
            new(get, "/slow", new SlowRequestHandler()),
            new(get, "/crash", new CrashRequestHandler()),
            new(get, "/cpu", new CpuRequestHandler()),
            new(get, "/block", new BlockRequestHandler()),
        ];
        if (site is not null)
        {
            // The template's name is the route value the file planner reads.
            routes.Add(new(get, "/{*path}", new StaticFileRequestHandler(site)));
        }

        return new SharedRoutes(routes);
    }

    /// <summary>
    /// The handler for <paramref name="request"/>, with the request as that handler must see it. HEAD
    /// goes to the GET route, as in the actor model's router.
    /// </summary>
    public ResolvedRequest Resolve(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var match = _table.Match(request.Method, request.Path);
        return match.Kind switch
        {
            RouteMatchKind.Found => new ResolvedRequest(
                match.Values.Count == 0 ? request : request with { RouteValues = match.Values },
                match.Target!),
            RouteMatchKind.MethodNotAllowed => Refused(request, HttpResponse.Text(405, $"{request.Method} is not allowed on {ErrorText.Printable(request.Path)}.\n")
                .WithHeader("Allow", string.Join(", ", match.AllowedMethods))),
            RouteMatchKind.Options => Refused(request, HttpResponse.Empty(204).WithHeader("Allow", string.Join(", ", match.AllowedMethods))),
            RouteMatchKind.NotImplemented => Refused(request, HttpResponse.Text(501, $"The method {request.Method} is not implemented by this server.\n")),
            // RouteMatchKind.NotFound, the one kind left.
            _ => Refused(request, HttpResponse.Text(404, $"No resource at {ErrorText.Printable(request.Path)}.\n")),
        };
    }

    private static ResolvedRequest Refused(HttpRequest request, HttpResponse answer) => new(request, new FixedAnswer(answer));

    /// <summary>Answers every request alike: how routing's own answers travel the same path as a handler's.</summary>
    private sealed class FixedAnswer(HttpResponse answer) : RequestHandler
    {
        public override HttpResponse Handle(HttpRequest request) => answer;
    }
}
