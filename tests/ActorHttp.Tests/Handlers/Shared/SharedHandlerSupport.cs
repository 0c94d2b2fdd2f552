using System.Text;
using ActorHttp.Handlers.Shared;
using ActorHttp.Protocol;

namespace ActorHttp.Tests.Handlers.Shared;

/// <summary>The two ways a model calls a shared handler.</summary>
public enum HandlerForm
{
    Sync,
    Async,
}

/// <summary>Requests built by hand for shared handlers, and calls in either form.</summary>
internal static class SharedHandlerSupport
{
    /// <summary>A request as the parser would hand it over; <paramref name="target"/> is split into path and query, nothing decoded.</summary>
    public static HttpRequest Request(string method, string target, IEnumerable<(string Name, string Value)>? headers = null, byte[]? body = null)
    {
        var query = target.IndexOf('?');
        return new HttpRequest
        {
            Method = method,
            Target = target,
            Path = query < 0 ? target : target[..query],
            Query = query < 0 ? string.Empty : target[(query + 1)..],
            Version = HttpVersion.Http11,
            Headers = new HttpHeaders([("Host", "x"), .. headers ?? []]),
            Body = body ?? ReadOnlyMemory<byte>.Empty,
            KeepAlive = true,
        };
    }

    public static HttpRequest Get(string target, params (string Name, string Value)[] headers) => Request("GET", target, headers);

    public static async Task<HttpResponse> CallAsync(this IRequestHandler handler, HttpRequest request, HandlerForm form) =>
        form == HandlerForm.Sync ? handler.Handle(request) : await handler.HandleAsync(request, CancellationToken.None);

    public static string BodyText(this HttpResponse response) => Encoding.UTF8.GetString(response.Body.Span);
}
