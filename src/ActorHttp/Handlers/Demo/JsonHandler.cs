using ActorHttp.Handlers.Shared;

namespace ActorHttp.Handlers.Demo;

/// <summary><c>GET /json</c> in the actor model: the shared <see cref="JsonRequestHandler"/>, run inline.</summary>
public sealed class JsonHandler : HttpHandlerActor
{
    private static readonly JsonRequestHandler Json = new();

    protected override void OnRequest(RequestContext context) => context.Respond(Json.Handle(context.Request));
}
