using ActorHttp.Protocol;

namespace ActorHttp.Handlers.Demo;

/// <summary>
/// <c>GET /crash</c>: throws, to show a crash becoming a 500 for that request only; with
/// <c>?fail=0</c> the same handler answers 200, to show the route serving others however often it crashes.
/// </summary>
public sealed class CrashHandler : HttpHandlerActor
{
    protected override void OnRequest(RequestContext context)
    {
        if (!AsksToFail(context.Request.Query))
        {
            context.Respond(HttpResponse.Text(200, "Not crashing this time.\n"));
            return;
        }

        throw new InvalidOperationException("The /crash route fails on purpose.");
    }

    private static bool AsksToFail(string query)
    {
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            if (pair == "fail=0")
            {
                return false;
            }
        }

        return true;
    }
}
