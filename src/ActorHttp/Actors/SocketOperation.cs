using System.Net.Sockets;
using Akka.Actor;

namespace ActorHttp.Actors;

/// <summary>
/// A reusable async socket operation whose completion is delivered to an actor as a message. One per
/// direction per connection: unlike <c>ReceiveAsync(...).PipeTo(...)</c> it allocates no task and no
/// continuation per read or write, only the small completion message.
/// </summary>
internal sealed class SocketOperation : SocketAsyncEventArgs
{
    private readonly IActorRef _owner;
    private readonly Func<int, object> _succeeded;
    private readonly Func<Exception, object> _failed;

    public SocketOperation(IActorRef owner, Func<int, object> succeeded, Func<Exception, object> failed)
        : base(unsafeSuppressExecutionContextFlow: true)
    {
        _owner = owner;
        _succeeded = succeeded;
        _failed = failed;
    }

    public void Receive(Socket socket, Memory<byte> buffer)
    {
        SetBuffer(buffer);
        // A synchronous completion also goes through the mailbox: handling it inline could recurse
        // without bound while data keeps arriving.
        if (!socket.ReceiveAsync(this))
        {
            Deliver();
        }
    }

    /// <summary>
    /// Starts a receive; false when it completed at once, in which case nothing is delivered and the
    /// caller reads the result itself (used where a completion is known to be immediate).
    /// </summary>
    public bool StartReceive(Socket socket, Memory<byte> buffer)
    {
        SetBuffer(buffer);
        return socket.ReceiveAsync(this);
    }

    /// <summary>
    /// Starts a send; false when it completed at once, in which case nothing is delivered and the
    /// caller reads <see cref="SocketAsyncEventArgs.SocketError"/> and <c>BytesTransferred</c> itself.
    /// </summary>
    public bool StartSend(Socket socket, ReadOnlyMemory<byte> bytes)
    {
        SetBuffer(System.Runtime.InteropServices.MemoryMarshal.AsMemory(bytes));
        return socket.SendAsync(this);
    }

    protected override void OnCompleted(SocketAsyncEventArgs e) => Deliver();

    private void Deliver() =>
        _owner.Tell(SocketError == SocketError.Success ? _succeeded(BytesTransferred) : _failed(new SocketException((int)SocketError)));
}
