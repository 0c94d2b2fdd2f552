using System.Net.Sockets;

namespace ActorHttp.Models.EventLoops;

/// <summary>
/// A reusable socket operation of a connection on an event loop. The socket completes it on a
/// thread of its own; the completion is posted to the loop, where the connection handles it like
/// everything else. One receive and one send operation per connection: no allocation per read or write.
/// </summary>
internal sealed class LoopSocketOperation(EventLoop loop, SendOrPostCallback completed, object owner)
    : SocketAsyncEventArgs(unsafeSuppressExecutionContextFlow: true)
{
    /// <summary>The bytes the completed operation moved; throws when it failed.</summary>
    public int Transferred() => SocketError == SocketError.Success ? BytesTransferred : throw new SocketException((int)SocketError);

    protected override void OnCompleted(SocketAsyncEventArgs e) => loop.Post(completed, owner);
}
