using ActorHttp.Handlers.Shared;

namespace ActorHttp.Handlers.Demo;

/// <summary>
/// <c>GET /slow?ms=N</c> in the actor model: the asynchronous form of the shared
/// <see cref="SlowRequestHandler"/>, whose timer answers later while the actor's thread serves other requests.
/// </summary>
public sealed class SlowHandler : HttpHandlerActor
{
    private static readonly SlowRequestHandler Slow = new();

    // No token: the answer is due whatever happens; a connection that gave up meanwhile drops it.
    protected override void OnRequest(RequestContext context) =>
        RespondAsync(context, Slow.HandleAsync(context.Request, CancellationToken.None).AsTask());
}
