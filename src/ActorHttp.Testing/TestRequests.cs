using System.Text;
using ActorHttp.Protocol;
using HttpVersion = ActorHttp.Protocol.HttpVersion;

namespace ActorHttp.Testing;

/// <summary>
/// Requests built in one line for unit tests that hand them to a handler or a router without a
/// parser or a socket: <c>TestRequests.Get("/x?y=1", ("Accept", "text/plain"))</c>,
/// <c>TestRequests.Post("/x", "{}", "application/json")</c>. The target is split into path and query
/// as the parser would; a <c>Host</c> field is added unless one is given; an HTTP/1.1 request.
/// </summary>
public static class TestRequests
{
    /// <summary>A <c>GET</c> of <paramref name="target"/> (<c>/path?query</c>) with the given header fields.</summary>
    public static HttpRequest Get(string target, params (string Name, string Value)[] headers) =>
        Make("GET", target, headers: headers);

    /// <summary>A <c>POST</c> of a UTF-8 text body, with its <c>Content-Type</c> and <c>Content-Length</c>.</summary>
    public static HttpRequest Post(string target, string body, string contentType = "text/plain; charset=utf-8", params (string Name, string Value)[] headers) =>
        Post(target, Encoding.UTF8.GetBytes(body), contentType, headers);

    /// <summary>A <c>POST</c> of a binary body, with its <c>Content-Type</c> and <c>Content-Length</c>.</summary>
    public static HttpRequest Post(string target, byte[] body, string contentType = "application/octet-stream", params (string Name, string Value)[] headers) =>
        Make("POST", target, body: body, headers: [("Content-Type", contentType), .. headers]);

    /// <summary>
    /// The request with the values a route template would have bound (<c>/greet/{name}</c>), for a
    /// handler tested alone, without the router: <c>TestRequests.Get("/greet/Ada").WithRouteValues(("name", "Ada"))</c>.
    /// </summary>
    public static HttpRequest WithRouteValues(this HttpRequest request, params (string Name, string Value)[] values) =>
        request with { RouteValues = values.ToDictionary(v => v.Name, v => v.Value) };

    /// <summary>
    /// Any request. A body gets a <c>Content-Length</c> field unless one is given; <paramref name="keepAlive"/>
    /// is what the parser would have decided from <c>Connection</c>.
    /// </summary>
    public static HttpRequest Make(string method, string target, bool keepAlive = true, byte[]? body = null, params (string Name, string Value)[] headers)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        if (!target.StartsWith('/') && target != "*")
        {
            throw new ArgumentException($"A request target starts with '/' (origin form), not \"{target}\"", nameof(target));
        }

        var fields = new List<(string Name, string Value)>(headers.Length + 2);
        if (!headers.Any(h => string.Equals(h.Name, "Host", StringComparison.OrdinalIgnoreCase)))
        {
            fields.Add(("Host", "localhost"));
        }

        fields.AddRange(headers);
        if (body is not null && !headers.Any(h => string.Equals(h.Name, "Content-Length", StringComparison.OrdinalIgnoreCase)))
        {
            fields.Add(("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        // The parser keeps the query undecoded and drops a fragment; the path is taken as given.
        var withoutFragment = target.Split('#', 2)[0];
        var question = withoutFragment.IndexOf('?');
        return new HttpRequest
        {
            Method = method,
            Target = withoutFragment,
            Path = question < 0 ? withoutFragment : withoutFragment[..question],
            Query = question < 0 ? string.Empty : withoutFragment[(question + 1)..],
            Version = HttpVersion.Http11,
            Headers = new HttpHeaders(fields),
            Body = body ?? ReadOnlyMemory<byte>.Empty,
            KeepAlive = keepAlive,
        };
    }
}
