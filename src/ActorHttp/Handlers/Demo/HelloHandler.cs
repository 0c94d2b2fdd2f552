using ActorHttp.Handlers.Shared;

namespace ActorHttp.Handlers.Demo;

/// <summary><c>GET /hello</c> in the actor model: the shared <see cref="HelloRequestHandler"/>, run inline.</summary>
public sealed class HelloHandler : HttpHandlerActor
{
    private static readonly HelloRequestHandler Hello = new();

    protected override void OnRequest(RequestContext context) => context.Respond(Hello.Handle(context.Request));
}
