using ActorHttp.Handlers.Shared;

namespace ActorHttp.Handlers.Demo;

/// <summary>
/// <c>GET /crash</c> in the actor model: the shared <see cref="CrashRequestHandler"/>, run inline, so
/// its throw crashes this actor and supervision turns it into a 500 for that request only.
/// </summary>
public sealed class CrashHandler : HttpHandlerActor
{
    private static readonly CrashRequestHandler Crash = new();

    protected override void OnRequest(RequestContext context) => context.Respond(Crash.Handle(context.Request));
}
