namespace ActorHttp.Handlers;

/// <summary>
/// The structured properties a handler's <see cref="HttpHandlerActor.Log"/> adds to each line it
/// logs while handling a request; a log query finds a request's lines by them (<c>RequestId = 'abc'</c>).
/// </summary>
public static class RequestLogProperties
{
    /// <summary>The request's <c>X-Request-Id</c> (taken or made), when <c>actorhttp.telemetry.request-id</c> is on.</summary>
    public const string RequestId = "RequestId";

    /// <summary>The W3C trace id (32 hex digits) of the request's activity, when it is traced.</summary>
    public const string TraceId = "TraceId";
}
