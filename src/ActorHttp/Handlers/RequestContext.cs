using System.Diagnostics;
using ActorHttp.Actors;
using ActorHttp.Protocol;
using Akka.Actor;

namespace ActorHttp.Handlers;

/// <summary>
/// One request as a handler sees it, and the ways to answer it. Answers go straight to the
/// connection that read the request; each request must be answered exactly once.
/// </summary>
public sealed class RequestContext
{
    internal RequestContext(HandleRequest message) => Message = message;

    /// <summary>The request: method, target, path, query, fields, body and route values.</summary>
    public HttpRequest Request => Message.Request;

    /// <summary>The authenticated user, on a route an auth rule protects; null elsewhere.</summary>
    public Auth.Principal? User => Message.User;

    /// <summary>
    /// The client's address: the connection's peer, or, when that peer is one of
    /// <c>actorhttp.server.trusted-proxies</c>, the client its <c>X-Forwarded-For</c> names.
    /// </summary>
    public System.Net.IPAddress? ClientAddress => Message.ClientAddress;

    /// <summary>
    /// Identifies this request's answer among all a handler serves: sequence numbers are per
    /// connection, so a handler streaming to several connections keys its streams by both. An
    /// acknowledgement's key is <c>(Sender, ack.Sequence)</c>.
    /// </summary>
    public (IActorRef Connection, long Sequence) StreamKey => (Message.Connection, Message.Sequence);

    /// <summary>The request's place on its connection; acknowledgements of streamed chunks carry it.</summary>
    public long Sequence => Message.Sequence;

    /// <summary>The request's <c>X-Request-Id</c> (the client's when valid, else made by the server); null when <c>actorhttp.telemetry.request-id</c> is off.</summary>
    public string? RequestId => Message.RequestId;

    /// <summary>The trace this request belongs to (the server's activity for it); default when nothing traces.</summary>
    public System.Diagnostics.ActivityContext TraceContext => Message.Telemetry?.Trace ?? default;

    internal HandleRequest Message { get; }

    /// <summary>
    /// How long the connection still waits for the answer before it answers 503 itself
    /// (<c>handler-timeout</c>): negative once past; null when not known (a request a test built).
    /// </summary>
    public TimeSpan? TimeLeft => Message.AnswerDue == 0 ? null : Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), Message.AnswerDue);

    /// <summary>
    /// Asks for the next piece of a streamed request body (<see cref="HttpRequest.BodyStreamed"/>).
    /// Sent from a handler actor, exactly one answer comes back to it: the piece
    /// (<see cref="HttpHandlerActor.OnRequestBody"/>), the end (<see cref="HttpHandlerActor.OnRequestBodyEnd"/>)
    /// or the news that the body will never be complete (<see cref="HttpHandlerActor.OnRequestBodyAborted"/>).
    /// Asking only once the previous piece is dealt with is what keeps the client at the handler's pace.
    /// </summary>
    public void ReadBody() => Message.Connection.Tell(new ReadRequestBody(Message.Sequence));

    /// <summary>Answers with a complete response, or with the head of one whose body is a <see cref="HttpResponse.BodyStream"/>.</summary>
    public void Respond(HttpResponse response)
    {
        if (response.BodyStream is { } body && (Request.Method == "HEAD" || response.StatusCode is < 200 or 204 or 304))
        {
            // No body goes out, so none is read: an endless source would otherwise be pumped forever.
            body.Dispose();
            response = response with { BodyStream = Stream.Null };
        }

        Message.Connection.Tell(new ResponseReady(Message.Sequence, response, Message.Route));
    }

    /// <summary>Starts a streamed answer: <paramref name="head"/>'s status and fields now, the body by <see cref="SendChunk"/>.</summary>
    public void StartStream(HttpResponse head) => Respond(head with { Streamed = true, Body = ReadOnlyMemory<byte>.Empty });

    /// <summary>
    /// Sends a piece of the body. Sent from a handler actor, the handler later receives
    /// <see cref="ResponseBodyChunkSent"/> once the bytes went out (or <see cref="ResponseAborted"/> if the
    /// connection closed): waiting for it before sending more is how a handler follows the client's pace.
    /// </summary>
    public void SendChunk(ReadOnlyMemory<byte> data) => Message.Connection.Tell(new ResponseBodyChunk(Message.Sequence, data));

    /// <summary>Ends a streamed answer begun with <see cref="StartStream"/>.</summary>
    public void EndStream() => Message.Connection.Tell(new ResponseBodyEnd(Message.Sequence));

    /// <summary>Gives up on a streamed body midway: the connection closes so the client sees it is incomplete.</summary>
    public void AbortStream() => Message.Connection.Tell(new ResponseBodyAbort(Message.Sequence));
}
