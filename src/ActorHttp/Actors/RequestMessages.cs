using System.Net;
using ActorHttp.Handlers.Auth;
using ActorHttp.Protocol;
using Akka.Actor;

namespace ActorHttp.Actors;

/// <summary>
/// A parsed request on its way from a connection, through the router, to a handler. The sequence
/// number is the request's place on its connection: answers are written in that order.
/// <paramref name="ClientAddress"/> is the peer's address (for X-Forwarded-For and logs);
/// <paramref name="User"/> the authenticated user on a protected route. <paramref name="Telemetry"/>
/// is set when the connection observes the request (request id, trace, metrics): the router then
/// names the route that serves it (<paramref name="Route"/>), and the answer carries that back.
/// <paramref name="AnswerDue"/> is when the connection stops waiting for the answer (<c>handler-timeout</c>)
/// as a <see cref="System.Diagnostics.Stopwatch"/> timestamp; 0 when unknown (a request built by a test).
/// </summary>
public sealed record HandleRequest(HttpRequest Request, long Sequence, IActorRef Connection, IPAddress? ClientAddress = null, Principal? User = null, RequestTelemetry? Telemetry = null, string? Route = null, long AnswerDue = 0)
{
    /// <summary>The request's <c>X-Request-Id</c> (taken or made), when request ids are on.</summary>
    public string? RequestId => Telemetry?.RequestId;
}

/// <summary>
/// What the connection knows of a request it observes: its id and the context of its trace (the
/// server's activity for it, default when nobody traces), for handlers to log and pass on.
/// </summary>
public sealed record RequestTelemetry(string? RequestId, System.Diagnostics.ActivityContext Trace);

/// <summary>
/// The answer to request <paramref name="Sequence"/>, sent by a handler straight to the connection;
/// <paramref name="Route"/> is the template of the route that answered, for metrics and traces.
/// </summary>
public sealed record ResponseReady(long Sequence, HttpResponse Response, string? Route = null);

/// <summary>
/// A piece of the body of a <see cref="HttpResponse.Streamed"/> response. Once its bytes have been
/// handed to the socket, the connection answers the sender with <see cref="ResponseBodyChunkSent"/>:
/// a streaming handler that waits for it before sending more reads no faster than the client takes.
/// </summary>
public sealed record ResponseBodyChunk(long Sequence, ReadOnlyMemory<byte> Data);

/// <summary>The connection's acknowledgement that a <see cref="ResponseBodyChunk"/> went out.</summary>
public sealed record ResponseBodyChunkSent(long Sequence);

/// <summary>A streamed response will never be completed (the connection closed): stop producing it.</summary>
public sealed record ResponseAborted(long Sequence);

/// <summary>The end of a streamed response body.</summary>
public sealed record ResponseBodyEnd(long Sequence);

/// <summary>
/// A streamed body that cannot be completed (its source failed): the connection closes without the
/// body's proper end, so the client sees a truncated response instead of a falsely complete one.
/// </summary>
public sealed record ResponseBodyAbort(long Sequence);

/// <summary>
/// From the handler of a request whose body is streamed (<see cref="HttpRequest.BodyStreamed"/>) to
/// its connection: send the next piece. Each is answered by exactly one <see cref="RequestBodyChunk"/>,
/// <see cref="RequestBodyEnd"/> or <see cref="RequestBodyAborted"/>. The connection reads from the
/// socket only while a piece is asked for, so the client sends no faster than the handler takes.
/// </summary>
public sealed record ReadRequestBody(long Sequence);

/// <summary>A piece of a streamed request body; the handler owns <paramref name="Data"/>.</summary>
public sealed record RequestBodyChunk(long Sequence, ReadOnlyMemory<byte> Data);

/// <summary>The streamed request body is complete; <paramref name="Trailers"/> are the chunked trailer fields, if any.</summary>
public sealed record RequestBodyEnd(long Sequence, HttpHeaders Trailers);

/// <summary>
/// The streamed request body will never be complete: the client went away or stalled, the body broke
/// the framing or the size limit, or the request was answered first. The connection has answered (or
/// closed); the handler only cleans up.
/// </summary>
public sealed record RequestBodyAborted(long Sequence, string Reason);

/// <summary>
/// From a handler doing async work for request <paramref name="Sequence"/> to its connection: tell me
/// (<see cref="ClientGone"/>) if the client goes away before the request is answered, so the work can
/// be cancelled. Forgotten once the request is answered.
/// </summary>
public sealed record WatchClient(long Sequence);

/// <summary>
/// The client of request <paramref name="Sequence"/> went away before its answer: it closed its side
/// of the connection, or the connection broke or closed. Any answer will most likely go unread.
/// </summary>
public sealed record ClientGone(long Sequence, string Reason);
