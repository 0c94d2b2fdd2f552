using ActorHttp.Protocol;

namespace ActorHttp.Handlers.Demo;

/// <summary><c>GET /</c>: a small page naming the demo routes.</summary>
public sealed class IndexHandler : HttpHandlerActor
{
    private static readonly HttpResponse Page = HttpResponse.Text(200, """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><title>ActorHttp</title></head>
        <body>
        <h1>ActorHttp</h1>
        <p>An HTTP/1.1 server built on actors. Demo routes:</p>
        <ul>
          <li><a href="/hello">/hello</a>: plain text</li>
          <li><a href="/json">/json</a>: a JSON message</li>
          <li><a href="/echo?a=1">/echo</a> and /echo/&#123;*rest&#125;: any method; shows what the server parsed, as JSON</li>
          <li><a href="/crash">/crash</a>: the handler throws; you get a 500 and the server carries on</li>
          <li><a href="/slow?ms=500">/slow?ms=N</a>: answers after N milliseconds</li>
          <li><a href="/counter">/counter</a>: a stateful actor counting the requests it served</li>
        </ul>
        </body>
        </html>
        """, "text/html; charset=utf-8");

    protected override void OnRequest(RequestContext context) => context.Respond(Page);
}
