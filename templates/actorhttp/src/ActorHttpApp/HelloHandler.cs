using ActorHttp.Handlers;
using ActorHttp.Protocol;

namespace ActorHttpApp;

/// <summary>Answers <c>GET /hello/{name}</c>, counting its visitors (actor state: one request at a time).</summary>
public sealed class HelloHandler : HttpHandlerActor
{
    private int _visitors;

    protected override void OnRequest(RequestContext context)
    {
        var name = context.Request.RouteValues["name"];
        context.Respond(HttpResponse.Text(200, $"Hello, {name}! You are visitor {++_visitors}.\n"));
    }
}
