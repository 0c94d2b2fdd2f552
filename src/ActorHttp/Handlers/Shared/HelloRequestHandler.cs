using ActorHttp.Protocol;

namespace ActorHttp.Handlers.Shared;

/// <summary><c>GET /hello</c>: the plaintext answer benchmarks measure.</summary>
public sealed class HelloRequestHandler : RequestHandler
{
    // Immutable, so one instance serves every request in every model without a per-request allocation.
    private static readonly HttpResponse Hello = HttpResponse.Text(200, "Hello, World!");

    public override HttpResponse Handle(HttpRequest request) => Hello;
}
