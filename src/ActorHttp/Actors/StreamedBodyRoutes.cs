using ActorHttp.Protocol;
using ActorHttp.Routing;

namespace ActorHttp.Actors;

/// <summary>
/// Tells a connection, from a request's head alone, whether the route that will serve it reads its
/// body as a stream (and up to how many bytes), so the body is handed over as it arrives instead of
/// being buffered first. It matches against every route, as the router does, so a more specific
/// route that buffers is never mistaken for a streaming one.
/// </summary>
public sealed class StreamedBodyRoutes
{
    private readonly HostRouteTables<long?> _tables;

    public StreamedBodyRoutes(IReadOnlyList<RouteRegistration> routes)
    {
        _tables = new HostRouteTables<long?>(routes.Select(r => (new RouteDefinition<long?>(r.Methods, r.Template, r.StreamedBodyLimit), r.Hosts)));
        Lookup = routes.Any(r => r.StreamedBodyLimit is not null) ? LimitFor : null;
    }

    /// <summary><see cref="LimitFor"/> as one delegate every connection's parser shares; null when no route streams.</summary>
    public Func<HttpRequest, long?>? Lookup { get; }

    /// <summary>The body limit of the streaming route serving <paramref name="head"/>; null when its body is buffered.</summary>
    public long? LimitFor(HttpRequest head)
    {
        var match = _tables.Match(head.Host, head.Method, head.Path);
        return match.Kind == RouteMatchKind.Found ? match.Target : null;
    }
}
