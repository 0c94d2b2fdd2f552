using ActorHttp.Protocol;

namespace ActorHttp.Handlers.Demo;

/// <summary><c>GET /limited</c>: the demo's rate-limited route; the router answers 429 before a request over the limit gets here.</summary>
public sealed class LimitedHandler : HttpHandlerActor
{
    private static readonly HttpResponse WithinTheLimit = HttpResponse.Text(200, "Within the limit.\n");

    protected override void OnRequest(RequestContext context) => context.Respond(WithinTheLimit);
}
