namespace ActorHttp.Protocol;

/// <summary>What the writer needs to know about the request a response answers.</summary>
/// <param name="Version">The request's version; it decides framing and the <c>Connection</c> field, not the status line.</param>
/// <param name="IsHeadRequest">HEAD: send the fields of the would-be response, no body (RFC 9110 §9.3.2).</param>
/// <param name="KeepAlive">Whether the request allows another request on the connection (RFC 9112 §9.3).</param>
public readonly record struct ResponseTarget(HttpVersion Version, bool IsHeadRequest, bool KeepAlive);
