using System.Buffers;
using System.Text.Json;
using ActorHttp.Protocol;

namespace ActorHttp.Handlers.Shared;

/// <summary>
/// <c>/echo</c> and <c>/echo/{*rest}</c>, any method: answers what the server parsed, as JSON
/// (the shape in <c>shared/conformance/README.md</c>), so conformance tests can see it.
/// </summary>
public sealed class EchoRequestHandler : RequestHandler
{
    public override HttpResponse Handle(HttpRequest request)
    {
        var body = new ArrayBufferWriter<byte>(256 + request.Body.Length * 2);
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("method", request.Method);
            json.WriteString("target", request.Target);
            json.WriteString("path", request.Path);
            json.WriteString("query", request.Query);
            json.WriteString("version", request.Version.ToText());
            json.WriteStartArray("headers");
            foreach (var (name, value) in request.Headers)
            {
                json.WriteStartArray();
                json.WriteStringValue(name);
                json.WriteStringValue(value);
                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteBase64String("body_base64", request.Body.Span);
            json.WriteNumber("body_length", request.Body.Length);
            json.WriteEndObject();
        }

        return new HttpResponse
        {
            StatusCode = 200,
            Headers = [new("Content-Type", "application/json")],
            Body = body.WrittenMemory,
        };
    }
}
