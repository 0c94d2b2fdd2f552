using System.Buffers;
using System.Text.Json;
using ActorHttp.Protocol;

namespace ActorHttp.Handlers.Json;

/// <summary>Error answers as RFC 9457 problem details: <c>application/problem+json</c> with type, title, status and detail.</summary>
public static class Problem
{
    public static HttpResponse Response(int status, string detail, IReadOnlyDictionary<string, string>? extensions = null)
    {
        var body = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            // "about:blank" says the status code is all the type there is (RFC 9457 §4.2.1).
            json.WriteString("type", "about:blank");
            json.WriteString("title", StatusCodes.ReasonPhrase(status));
            json.WriteNumber("status", status);
            json.WriteString("detail", detail);
            foreach (var (name, value) in extensions ?? new Dictionary<string, string>())
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
        }

        return new HttpResponse
        {
            StatusCode = status,
            Headers = [new("Content-Type", "application/problem+json")],
            Body = body.WrittenMemory,
        };
    }
}
