using ActorHttp.Protocol;

namespace ActorHttp.Handlers.Demo;

/// <summary><c>/private/…</c>: reachable only with credentials; greets the authenticated user.</summary>
public sealed class PrivateHandler : HttpHandlerActor
{
    protected override void OnRequest(RequestContext context)
    {
        var user = context.User;
        context.Respond(user is null
            ? HttpResponse.Text(500, "This route is meant to sit behind an auth rule.\n")
            : HttpResponse.Text(200, $"Hello, {user.Name}! Roles: {string.Join(", ", user.Roles)}.\n"));
    }
}
