using ActorHttp.Handlers.Shared;

namespace ActorHttp.Handlers.Demo;

/// <summary>
/// <c>GET /cpu?us=N</c> in the actor model: the shared <see cref="CpuRequestHandler"/>, run inline on
/// the dispatcher thread that delivered the request, as CPU work runs in every model.
/// </summary>
public sealed class CpuHandler : HttpHandlerActor
{
    private static readonly CpuRequestHandler Cpu = new();

    protected override void OnRequest(RequestContext context) => context.Respond(Cpu.Handle(context.Request));
}
