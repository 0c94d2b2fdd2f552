using System.Text.Json;
using System.Text.Json.Serialization;
using ActorHttp.Protocol;

namespace ActorHttp.Handlers.Shared;

/// <summary><c>GET /json</c>: a message serialized per request, as JSON benchmarks require.</summary>
public sealed class JsonRequestHandler : RequestHandler
{
    // Immutable and the same for every answer: shared rather than built per request.
    private static readonly IReadOnlyList<KeyValuePair<string, string>> JsonHeaders = [new("Content-Type", "application/json")];

    public override HttpResponse Handle(HttpRequest request) => new()
    {
        StatusCode = 200,
        Headers = JsonHeaders,
        Body = JsonSerializer.SerializeToUtf8Bytes(new HelloMessage("Hello, World!"), DemoJsonContext.Default.HelloMessage),
    };
}

public sealed record HelloMessage([property: JsonPropertyName("message")] string Message);

[JsonSerializable(typeof(HelloMessage))]
internal sealed partial class DemoJsonContext : JsonSerializerContext;
