using ActorHttp.Protocol;

namespace ActorHttp.Handlers.Demo;

/// <summary>
/// <c>GET /counter</c>: a stateful actor of the kind users write. It counts the requests it has
/// served and answers the count as JSON; one instance serves the route, so the count is exact
/// without a lock.
/// </summary>
public sealed class CounterHandler : HttpHandlerActor
{
    private long _served;

    protected override void OnRequest(RequestContext context)
    {
        _served++;
        context.Respond(new HttpResponse
        {
            StatusCode = 200,
            Headers = [new("Content-Type", "application/json")],
            Body = System.Text.Encoding.UTF8.GetBytes($$"""{"count":{{_served}}}"""),
        });
    }
}
