namespace ActorHttp.Models.Tasks;

/// <summary>What woke a task connection's loop.</summary>
internal enum ConnectionEventKind
{
    /// <summary>The pending receive (or zero-byte wait for data) completed.</summary>
    Received,

    /// <summary>The pending send completed.</summary>
    Sent,

    /// <summary>A handler answered (or crashed, and its 500 is the answer).</summary>
    Answered,

    /// <summary>A piece of a streamed answer's body has been read.</summary>
    PieceRead,

    /// <summary>The connection's timer fired: a deadline may be due.</summary>
    DeadlineDue,

    /// <summary>The server is stopping.</summary>
    Drain,
}
