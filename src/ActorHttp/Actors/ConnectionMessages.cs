namespace ActorHttp.Actors;

/// <summary>A receive finished; 0 bytes means the peer closed its side.</summary>
internal sealed record BytesReceived(int Count);

internal sealed record ReceiveFailed(Exception Error);

internal sealed record BytesSent(int Count);

internal sealed record SendFailed(Exception Error);

/// <summary>The keep-alive idle timer (or the pause between body reads) ran out.</summary>
internal sealed record IdleTimedOut
{
    public static readonly IdleTimedOut Instance = new();
}

/// <summary>The request's header section did not complete within <c>request-header-timeout</c>.</summary>
internal sealed record HeaderTimedOut
{
    public static readonly HeaderTimedOut Instance = new();
}

/// <summary>The oldest unanswered request on the connection has reached its <c>handler-timeout</c>.</summary>
internal sealed record HandlerDeadlineReached
{
    public static readonly HandlerDeadlineReached Instance = new();
}

/// <summary>The lingering close after an error response is over.</summary>
internal sealed record LingerElapsed
{
    public static readonly LingerElapsed Instance = new();
}

/// <summary>Write what is ready now: answers queued behind this message in the mailbox have joined the batch.</summary>
internal sealed record FlushOutput
{
    public static readonly FlushOutput Instance = new();
}
