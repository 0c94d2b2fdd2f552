using ActorHttp.Protocol;
using Akka.Actor;

namespace ActorHttp.Handlers;

/// <summary>
/// The handler of a route written as an async function
/// (<c>routes.MapGet("/x", async (ctx, cancellationToken) =&gt; ...)</c>): a supervised handler actor
/// that starts the function for each request and answers with its result
/// (<see cref="HttpHandlerActor.RespondAsync(RequestContext, Func{CancellationToken, Task{HttpResponse}})"/>).
/// The token fires when the client goes away or the answer's deadline (<c>handler-timeout</c>)
/// passes; a failure is a crash (500, restart). The function runs off the actor's thread, so it must
/// not touch state shared between requests without its own synchronisation.
/// </summary>
public sealed class AsyncFunctionHandler(Func<RequestContext, CancellationToken, Task<HttpResponse>> respond) : HttpHandlerActor
{
    public static Props Props(Func<RequestContext, CancellationToken, Task<HttpResponse>> respond)
    {
        ArgumentNullException.ThrowIfNull(respond);
        return Akka.Actor.Props.Create(() => new AsyncFunctionHandler(respond));
    }

    protected override void OnRequest(RequestContext context) => RespondAsync(context, cancellationToken => respond(context, cancellationToken));
}
