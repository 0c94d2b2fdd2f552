using ActorHttp.Handlers.Shared;

namespace ActorHttp.Handlers.Demo;

/// <summary><c>/echo</c> and <c>/echo/{*rest}</c> in the actor model: the shared <see cref="EchoRequestHandler"/>, run inline.</summary>
public sealed class EchoHandler : HttpHandlerActor
{
    private static readonly EchoRequestHandler Echo = new();

    protected override void OnRequest(RequestContext context) => context.Respond(Echo.Handle(context.Request));
}
