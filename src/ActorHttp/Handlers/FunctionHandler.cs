using ActorHttp.Protocol;
using Akka.Actor;

namespace ActorHttp.Handlers;

/// <summary>
/// The handler of a route written as a function (<c>routes.MapGet("/hello", ctx =&gt; HttpResponse.Text(200, "hi"))</c>):
/// a supervised handler actor like any other, which calls the function on its own thread for each
/// request. A throw is a crash (500, restart). The function must not block: for waiting work, use the
/// async form (<see cref="AsyncFunctionHandler"/>).
/// </summary>
public sealed class FunctionHandler(Func<RequestContext, HttpResponse> respond) : HttpHandlerActor
{
    public static Props Props(Func<RequestContext, HttpResponse> respond)
    {
        ArgumentNullException.ThrowIfNull(respond);
        return Akka.Actor.Props.Create(() => new FunctionHandler(respond));
    }

    protected override void OnRequest(RequestContext context) => context.Respond(respond(context));
}
