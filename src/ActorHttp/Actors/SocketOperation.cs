using System.Net.Sockets;
using Akka.Actor;

namespace ActorHttp.Actors;

/// <summary>
/// A reusable async socket operation whose completion is delivered to an actor as a message: unlike
/// <c>ReceiveAsync(...).PipeTo(...)</c> it allocates no task and no continuation per read or write,
/// only the small completion message. A connection owns its receive operation; send operations
/// come from <see cref="SendOperations"/> for the length of one send.
/// </summary>
internal sealed class SocketOperation : SocketAsyncEventArgs
{
    private readonly Func<int, object> _succeeded;
    private readonly Func<Exception, object> _failed;

    public SocketOperation(IActorRef owner, Func<int, object> succeeded, Func<Exception, object> failed)
        : base(unsafeSuppressExecutionContextFlow: true)
    {
        Owner = owner;
        _succeeded = succeeded;
        _failed = failed;
    }

    /// <summary>Who is told of completions; changes only between operations.</summary>
    public IActorRef Owner { get; set; }

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
        Owner.Tell(SocketError == SocketError.Success ? _succeeded(BytesTransferred) : _failed(new SocketException((int)SocketError)));
}

/// <summary>
/// Send operations shared by every connection. A connection holds one only while a send is under
/// way, so an idle connection holds none; Kestrel pools its socket senders the same way. A
/// <see cref="SocketAsyncEventArgs"/> costs about 600 bytes with its completion delegates.
/// </summary>
internal static class SendOperations
{
    private const int MaxPooled = 1024;
    private static readonly System.Collections.Concurrent.ConcurrentQueue<SocketOperation> Pool = new();

    public static SocketOperation Rent(IActorRef owner)
    {
        if (Pool.TryDequeue(out var operation))
        {
            operation.Owner = owner;
            return operation;
        }

        return new SocketOperation(owner, static count => new BytesSent(count), static error => new SendFailed(error));
    }

    /// <summary>Takes back an operation that has completed; it must not be touched afterwards.</summary>
    public static void Return(SocketOperation operation)
    {
        operation.SetBuffer(Memory<byte>.Empty);
        operation.Owner = ActorRefs.Nobody;
        if (Pool.Count < MaxPooled)
        {
            Pool.Enqueue(operation);
        }
        else
        {
            operation.Dispose();
        }
    }
}
