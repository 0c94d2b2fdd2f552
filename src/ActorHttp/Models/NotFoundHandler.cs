using ActorHttp.Handlers.Shared;
using ActorHttp.Protocol;

namespace ActorHttp.Models;

/// <summary>
/// What a non-actor model serves when it is given no routes: 404 for every request, with the text
/// the actor router answers for a path no route serves.
/// </summary>
internal sealed class NotFoundHandler : IRequestHandler
{
    public static readonly NotFoundHandler Instance = new();

    public HttpResponse Handle(HttpRequest request) => HttpResponse.Text(404, $"No resource at {ErrorText.Printable(request.Path)}.\n");

    public ValueTask<HttpResponse> HandleAsync(HttpRequest request, CancellationToken cancellationToken) => ValueTask.FromResult(Handle(request));
}
