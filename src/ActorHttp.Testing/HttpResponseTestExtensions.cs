using System.Text;
using ActorHttp.Actors;
using ActorHttp.Protocol;

namespace ActorHttp.Testing;

/// <summary>Reading a handler's <see cref="HttpResponse"/> in an assertion.</summary>
public static class HttpResponseTestExtensions
{
    /// <summary>The body decoded as UTF-8.</summary>
    public static string BodyText(this HttpResponse response) => Encoding.UTF8.GetString(response.Body.Span);

    /// <summary>The body of the answer a handler sent its connection, decoded as UTF-8.</summary>
    public static string BodyText(this ResponseReady ready) => ready.Response.BodyText();

    /// <summary>The first field named <paramref name="name"/> (any case), or null.</summary>
    public static string? Header(this HttpResponse response, string name) =>
        response.Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}
