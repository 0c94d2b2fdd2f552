using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ActorHttp.Protocol;

namespace ActorHttp.Handlers.Json;

/// <summary>
/// A base for typed JSON endpoints with System.Text.Json: pass the source-generated
/// <see cref="JsonTypeInfo{T}"/> of your types (no reflection on the hot path). Bodies with the wrong
/// media type are refused with 415, unreadable ones with 400; both as problem details.
/// </summary>
public abstract class JsonHandlerActor : HttpHandlerActor
{
    /// <summary>
    /// Reads the request body as <typeparamref name="T"/>. When it cannot, <paramref name="problem"/>
    /// is the answer to send: 415 for another media type, 400 for malformed JSON (saying where).
    /// </summary>
    protected internal static bool TryReadBody<T>(HttpRequest request, JsonTypeInfo<T> type, [NotNullWhen(true)] out T? value, [NotNullWhen(false)] out HttpResponse? problem)
    {
        value = default;
        problem = null;
        if (!IsJson(request.Headers["Content-Type"]))
        {
            problem = Problem.Response(415, $"The body must be application/json, not {ErrorText.Printable(request.Headers["Content-Type"] ?? "absent")}.");
            return false;
        }

        try
        {
            value = JsonSerializer.Deserialize(request.Body.Span, type);
        }
        catch (JsonException error)
        {
            problem = Problem.Response(400, $"The body is not valid JSON for this resource: {error.Message}");
            return false;
        }

        if (value is null)
        {
            problem = Problem.Response(400, "The body must be a JSON object, not null.");
            return false;
        }

        return true;
    }

    protected internal static HttpResponse Ok<T>(T value, JsonTypeInfo<T> type) => Json(200, value, type);

    /// <summary>201 with the new resource and where it lives (RFC 9110 §15.3.2).</summary>
    protected internal static HttpResponse Created<T>(string location, T value, JsonTypeInfo<T> type) =>
        Json(201, value, type).WithHeader("Location", location);

    protected static HttpResponse NoContent() => HttpResponse.Empty(204);

    protected static HttpResponse NotFound(string detail) => Problem.Response(404, detail);

    protected static HttpResponse BadRequest(string detail, string? field = null) =>
        Problem.Response(400, detail, field is null ? null : new Dictionary<string, string> { ["field"] = field });

    protected static HttpResponse MethodNotAllowed(string method, params string[] allowed) =>
        Problem.Response(405, $"{method} is not allowed here.").WithHeader("Allow", string.Join(", ", allowed));

    private static HttpResponse Json<T>(int status, T value, JsonTypeInfo<T> type) => new()
    {
        StatusCode = status,
        Headers = [new("Content-Type", "application/json")],
        Body = JsonSerializer.SerializeToUtf8Bytes(value, type),
    };

    /// <summary><c>application/json</c> or any <c>application/*+json</c>, parameters (charset) allowed.</summary>
    private static bool IsJson(string? contentType)
    {
        var mediaType = contentType?.Split(';')[0].Trim();
        return mediaType is not null
            && (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)));
    }
}
