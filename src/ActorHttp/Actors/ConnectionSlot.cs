using System.Net;

namespace ActorHttp.Actors;

/// <summary>
/// What the listener knows of one of its connections without asking it: the client's address (for
/// <c>max-connections-per-client</c>) and since when the connection has been idle between requests
/// (for reclaiming the longest-idle one at <c>max-connections</c>). The connection writes
/// <see cref="IdleSince"/> on its own thread as it goes idle or busy; the listener only reads it,
/// when the limit is reached. A plain shared field costs the hot path one write per request where a
/// message to the listener would cost a mailbox trip.
/// </summary>
public sealed class ConnectionSlot(IPAddress? client)
{
    /// <summary>The <see cref="IdleSince"/> of a connection closing anyway (lingering after its last answer): older than any idle one.</summary>
    public const long ReclaimFirst = 1;

    private long _idleSince;

    public IPAddress? Client { get; } = client;

    /// <summary>
    /// The timestamp at which the connection became idle with nothing buffered and nothing in flight
    /// (a keep-alive connection waiting for its next request), <see cref="ReclaimFirst"/> while it
    /// lingers before closing, or 0 while it is busy.
    /// </summary>
    public long IdleSince
    {
        get => Volatile.Read(ref _idleSince);
        set => Volatile.Write(ref _idleSince, value);
    }

    /// <summary>Claims the connection for reclaiming: true for one caller, and only while it is idle.</summary>
    public bool TryClaimIdle(long idleSince) => idleSince != 0 && Interlocked.CompareExchange(ref _idleSince, 0, idleSince) == idleSince;
}
