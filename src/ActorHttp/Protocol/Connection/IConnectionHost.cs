namespace ActorHttp.Protocol.Connection;

/// <summary>
/// What a concurrency model provides to the connection core: where requests and body pieces go,
/// and the two facts only the socket knows. The core calls these from inside its own methods, so an
/// implementation must not call back into the core from them: it queues the work and acts on it
/// after the core's call returns.
/// </summary>
/// <remarks>
/// <c>reader</c> and <c>streamer</c> are the opaque tokens the host handed in with
/// <see cref="Http1Connection.WantBody"/> and <see cref="Http1Connection.Respond"/> (an actor
/// reference for actors, a stream pump elsewhere); the core only gives them back.
/// </remarks>
public interface IConnectionHost
{
    /// <summary>
    /// A request is ready for its handler; answer it with <see cref="Http1Connection.Respond"/> and this
    /// sequence number. <paramref name="answerDue"/> is the timestamp at which the core stops waiting for
    /// the answer (its handler deadline), for a handler that wants to know how long it has.
    /// </summary>
    void OnRequest(HttpRequest request, long sequence, long answerDue);

    /// <summary>A piece of a streamed request body, asked for by <paramref name="reader"/>; the data is a copy it owns.</summary>
    void OnRequestBodyPiece(object reader, long sequence, ReadOnlyMemory<byte> data);

    /// <summary>The streamed request body is complete.</summary>
    void OnRequestBodyEnd(object reader, long sequence, HttpHeaders trailers);

    /// <summary>The streamed request body will never be complete; the connection has answered or will close.</summary>
    void OnRequestBodyAborted(object reader, long sequence, string reason);

    /// <summary>The pieces of a streamed answer handed in so far have been sent: the streamer may produce more.</summary>
    void OnResponseChunksSent(object streamer, long sequence);

    /// <summary>The streamed answer will never be sent to its end (the connection is closing): stop producing it.</summary>
    void OnResponseAborted(object streamer, long sequence);

    /// <summary>An answer is written out in full (for the access log).</summary>
    void OnAnswered(in AnsweredRequest answered);

    /// <summary>Bytes the client has sent that wait in the kernel, unread; asked only while draining.</summary>
    int BytesWaitingInKernel { get; }

    /// <summary>
    /// How many bytes of everything sent the client has acknowledged so far, as a running total; null
    /// when the platform does not tell (the pending send is then credited whole, as Kestrel does).
    /// </summary>
    long? BytesAcknowledged { get; }
}

/// <summary>One request answered, as the access log records it.</summary>
/// <param name="StartTimestamp">When the request was parsed, and <paramref name="EndTimestamp"/> when its answer was written, on the caller's clock.</param>
/// <param name="Sequence">The request's number on its connection, as <see cref="IConnectionHost.OnRequest"/> gave it; an answer the core gave on its own (a refusal) has a number no request was given.</param>
public readonly record struct AnsweredRequest(
    string Method,
    string Target,
    HttpVersion Version,
    int StatusCode,
    long BodyBytes,
    string? Referer,
    string? UserAgent,
    long StartTimestamp,
    long EndTimestamp,
    long Sequence = 0);
