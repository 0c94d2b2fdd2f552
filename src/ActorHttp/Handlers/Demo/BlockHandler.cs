using ActorHttp.Handlers.Shared;

namespace ActorHttp.Handlers.Demo;

/// <summary>
/// <c>GET /block?ms=N</c> in the actor model: the shared <see cref="BlockRequestHandler"/>, run inline.
/// </summary>
/// <remarks>
/// It blocks the dispatcher thread this actor runs on, on purpose: the route exists to show what the
/// sync-over-async mistake costs each model. Here it costs, for N ms, a thread of the .NET thread pool
/// that every dispatcher of the server runs on (connections, router and handlers alike), and it holds
/// up the requests queued behind it in this actor's mailbox.
/// </remarks>
public sealed class BlockHandler : HttpHandlerActor
{
    private static readonly BlockRequestHandler Block = new();

    protected override void OnRequest(RequestContext context) => context.Respond(Block.Handle(context.Request));
}
