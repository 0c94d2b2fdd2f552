using System.Net;
using System.Net.Sockets;

namespace ActorHttp.Models.Blocking;

/// <summary>
/// A socket that turns readable, for good, when the server starts draining. The blocking models'
/// threads wait for their client in <c>Socket.Select</c> on their own socket and this one, so a
/// drain wakes every waiting thread at once, with no timer per thread and no polling.
/// </summary>
/// <remarks>
/// A UDP socket bound to loopback that sends itself one datagram, which nobody ever reads: the
/// portable form of an eventfd, which .NET does not expose.
/// </remarks>
internal sealed class DrainSignal : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    public DrainSignal() => _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

    /// <summary>The socket to wait on; readable once <see cref="Raise"/> has been called.</summary>
    public Socket Socket => _socket;

    public void Raise() => _socket.SendTo([1], _socket.LocalEndPoint!);

    public void Dispose() => _socket.Dispose();
}
