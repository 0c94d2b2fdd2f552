namespace ActorHttp.Models.EventLoops;

/// <summary>
/// A connection's entry in its loop's deadline heap. The heap holds this rather than the connection
/// itself: taking an entry out of the heap costs a search, so a connection that closes leaves its
/// entries to come due, and lets go of this instead. Under a churn of short connections the heap
/// then pins a few bytes per closed connection until its deadline, not the connection and its buffers.
/// </summary>
internal sealed class LoopTimer(LoopConnection connection)
{
    /// <summary>The connection to tell when the deadline comes; null once it has closed.</summary>
    public LoopConnection? Connection { get; private set; } = connection;

    public void Release() => Connection = null;
}
