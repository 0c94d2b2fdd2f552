using ActorHttp.Handlers.Shared;

namespace ActorHttp.Handlers.Demo;

/// <summary>
/// <c>GET /counter</c> in the actor model: a stateful actor of the kind users write. The count is
/// this actor's own field; one instance serves the route, so it is exact without a lock. The answer
/// is the shared one (<see cref="CounterRequestHandler.Answer"/>).
/// </summary>
public sealed class CounterHandler : HttpHandlerActor
{
    private long _served;

    protected override void OnRequest(RequestContext context) => context.Respond(CounterRequestHandler.Answer(++_served));
}
