using System.Net.Sockets;

namespace ActorHttp.Actors;

/// <summary>
/// How many bytes the peer of a TCP socket has acknowledged, read from the kernel (Linux's
/// <c>TCP_INFO</c>, field <c>tcpi_bytes_acked</c>). A send completes when the kernel has taken the
/// bytes, not when the client has read them: a client that stops reading leaves a send pending
/// with no sign of progress, while a slow but honest one keeps acknowledging. Only this count tells
/// them apart before the send as a whole completes.
/// </summary>
internal static class TcpProgress
{
    private const int IpProtoTcp = 6;
    private const int TcpInfoOption = 11;
    private const int BytesAckedOffset = 120;
    private const int TcpInfoSize = 232;

    /// <summary>True where the kernel reports acknowledged bytes (Linux 4.1 and later).</summary>
    public static readonly bool Available = OperatingSystem.IsLinux();

    /// <summary>The bytes the peer has acknowledged so far, or null when the kernel does not say.</summary>
    public static long? BytesAcknowledged(Socket socket)
    {
        if (!Available)
        {
            return null;
        }

        Span<byte> info = stackalloc byte[TcpInfoSize];
        try
        {
            var length = socket.GetRawSocketOption(IpProtoTcp, TcpInfoOption, info);
            return length >= BytesAckedOffset + sizeof(ulong)
                ? (long)BitConverter.ToUInt64(info[BytesAckedOffset..])
                : null;
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
            return null;
        }
    }
}
