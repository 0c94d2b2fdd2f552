namespace ActorHttp.Protocol;

/// <summary>The two HTTP/1.x versions a request line may carry (RFC 9112 §2.3).</summary>
public enum HttpVersion
{
    Http10,
    Http11,
}

public static class HttpVersionExtensions
{
    public static string ToText(this HttpVersion version) => version == HttpVersion.Http10 ? "HTTP/1.0" : "HTTP/1.1";
}
