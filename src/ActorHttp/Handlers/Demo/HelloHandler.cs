using ActorHttp.Protocol;

namespace ActorHttp.Handlers.Demo;

/// <summary><c>GET /hello</c>: the plaintext answer benchmarks measure.</summary>
public sealed class HelloHandler : HttpHandlerActor
{
    // Immutable, so one instance serves every request without a per-request allocation.
    private static readonly HttpResponse Hello = HttpResponse.Text(200, "Hello, World!");

    protected override void OnRequest(RequestContext context) => context.Respond(Hello);
}
