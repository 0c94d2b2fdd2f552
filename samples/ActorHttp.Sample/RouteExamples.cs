using ActorHttp.Handlers;
using ActorHttp.Handlers.Proxy;
using ActorHttp.Handlers.StaticFiles;
using ActorHttp.Hosting;
using ActorHttp.Protocol;

/// <summary>The README's one-line route examples, each in a method so that they compile as they are quoted.</summary>
public static class RouteExamples
{
    public static void StaticFiles(RouteBuilder routes)
    {
        routes.MapStaticFiles("/assets", new StaticFileSettings("/srv/assets", "index.html", Listing: false, ChunkBytes: 64 * 1024, MaxAge: TimeSpan.FromHours(1)));
    }

    public static void StreamedBodies(RouteBuilder routes)
    {
        routes.Map<LineCounter>(["POST"], "/count", streamedBodyLimit: 1_000_000_000);
    }

    public static void VirtualHosts(RouteBuilder routes)
    {
        routes.ForHosts(["api.example.com"], api => api
            .MapGet<UserHandler>("/users/{id}"));
    }

    public static void Proxy(RouteBuilder routes, HttpMessageInvoker httpMessageInvoker)
    {
        routes.MapProxy(new ProxyRoute("/api", new Uri("http://127.0.0.1:5000/v1"), TimeSpan.FromSeconds(30)), httpMessageInvoker);
    }
}

/// <summary>The user of the virtual-host example: answers with the id it was asked for.</summary>
public sealed class UserHandler : HttpHandlerActor
{
    protected override void OnRequest(RequestContext context) =>
        context.Respond(HttpResponse.Text(200, $"user {context.Request.RouteValues["id"]}"));
}
