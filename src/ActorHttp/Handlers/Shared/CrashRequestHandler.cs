using ActorHttp.Protocol;

namespace ActorHttp.Handlers.Shared;

/// <summary>
/// <c>GET /crash</c>: throws, to show a crash becoming a 500 for that request only; with
/// <c>?fail=0</c> the same handler answers 200, to show the route serving others however often it crashes.
/// </summary>
public sealed class CrashRequestHandler : RequestHandler
{
    private static readonly HttpResponse NotCrashing = HttpResponse.Text(200, "Not crashing this time.\n");

    public override HttpResponse Handle(HttpRequest request) =>
        QueryParameters.HasPair(request.Query, "fail=0")
            ? NotCrashing
            : throw new InvalidOperationException("The /crash route fails on purpose.");
}
