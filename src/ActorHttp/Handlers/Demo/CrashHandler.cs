namespace ActorHttp.Handlers.Demo;

/// <summary><c>GET /crash</c>: always throws, to show a crash becoming a 500 for that request only.</summary>
public sealed class CrashHandler : HttpHandlerActor
{
    protected override void OnRequest(RequestContext context) =>
        throw new InvalidOperationException("The /crash route fails on purpose.");
}
