using System.Net.Sockets;

namespace ActorHttp.Actors;

internal sealed record SocketAccepted(Socket Socket);

internal sealed record AcceptFailed(Exception Error);

internal sealed record ResumeAccepting
{
    public static readonly ResumeAccepting Instance = new();
}

/// <summary>
/// Graceful shutdown: the listener stops accepting and passes it to every connection, which finishes
/// the requests it has (the last answer carries <c>Connection: close</c>) and closes.
/// </summary>
public sealed record Drain
{
    public static readonly Drain Instance = new();
}

/// <summary>The listener's answer to <see cref="Drain"/> once every connection has closed.</summary>
public sealed record Drained
{
    public static readonly Drained Instance = new();
}
