using Akka.Event;

namespace ActorHttp.Actors;

/// <summary>A receive finished; 0 bytes means the peer closed its side (or, after a zero-byte wait, that bytes are ready).</summary>
internal sealed record BytesReceived(int Count)
{
    // A connection waits for every request with a zero-byte receive: its completion allocates nothing.
    public static readonly BytesReceived None = new(0);

    public static BytesReceived Of(int count) => count == 0 ? None : new BytesReceived(count);
}

internal sealed record ReceiveFailed(Exception Error);

internal sealed record BytesSent(int Count);

internal sealed record SendFailed(Exception Error);

/// <summary>
/// Time to check the connection's deadlines (idle, request head, handler answers, lingering close). It may outlive
/// its connection, whose timers are never cancelled, so it is not reported as a dead letter.
/// </summary>
internal sealed record DeadlineCheck : IDeadLetterSuppression
{
    public static readonly DeadlineCheck Instance = new();
}

/// <summary>Write what is ready now: answers queued behind this message in the mailbox have joined the batch.</summary>
internal sealed record FlushOutput
{
    public static readonly FlushOutput Instance = new();
}

/// <summary>
/// From the listener at <c>max-connections</c>: it has claimed this idle keep-alive connection's
/// slot for a new client. The connection closes if it is still idle, and stays if a request has
/// arrived since.
/// </summary>
internal sealed record ReclaimIdle : IDeadLetterSuppression
{
    public static readonly ReclaimIdle Instance = new();
}

/// <summary>Continue the streamed answer <paramref name="Pump"/> reads: its pieces so far have been sent.</summary>
internal sealed record ContinueResponseStream(ActorHttp.Models.ResponseStreamPump Pump);

/// <summary>
/// A read of a streamed answer's body (<see cref="ActorHttp.Protocol.HttpResponse.BodyStream"/>) ended
/// off the actor: <paramref name="Count"/> bytes (0 at its end), or <paramref name="Failure"/>.
/// </summary>
internal sealed record ResponsePieceRead(ActorHttp.Models.ResponseStreamPump Pump, int Count, Exception? Failure);
