namespace ActorHttp.Handlers.Demo;

/// <summary>
/// <c>GET /unavailable</c>: a handler that can never start, as when a handler's constructor needs
/// something that is not there. It shows the one 503 a route answers itself: no handler running,
/// with <c>Retry-After</c> saying when its supervisor tries to start one again.
/// </summary>
public sealed class UnstartableHandler : HttpHandlerActor
{
    public UnstartableHandler() =>
        throw new InvalidOperationException("The /unavailable route's handler never starts, on purpose.");

    protected override void OnRequest(RequestContext context) =>
        throw new InvalidOperationException("Unreachable: this handler is never constructed.");
}
