using System.Net;
using System.Net.Sockets;
using ActorHttp.Protocol;
using ActorHttp.Protocol.Connection;

namespace ActorHttp.Models.Blocking;

/// <summary>
/// A connection served start to end by the one thread that calls <see cref="Run"/>: the threads
/// model's own thread, or a pool worker. The thread blocks while it waits for its client, and runs
/// each handler (the synchronous form) itself; nothing else happens on the connection meanwhile.
/// </summary>
/// <remarks>
/// <para>
/// Waits are blocking calls with the time to the core's next deadline as their timeout, so the idle,
/// request-header and linger deadlines fire on a thread that otherwise just waits: input with
/// <c>Socket.Select</c> on the socket and the server's <see cref="DrainSignal"/>, output with
/// <c>Socket.Poll(SelectWrite)</c>. The socket is non-blocking underneath so that a send to a client
/// that stopped reading comes back with the part that fit instead of holding the thread in
/// <c>send</c>; the thread then waits for room until the next deadline, where
/// <c>min-response-data-rate</c> can close the connection.
/// </para>
/// <para>
/// What this model cannot do: while a handler runs, the thread is in it, so no deadline fires on the
/// connection and <c>handler-timeout</c> never answers 503: a slow handler's answer goes out late,
/// whole. A drain reaches the connection once the handler has returned.
/// </para>
/// </remarks>
internal sealed class BlockingConnection : ModelConnection
{
    private readonly DrainSignal _drainSignal;
    private readonly List<Socket> _waitList = new(2);
    private Memory<byte> _receiveMemory;
    private bool _receiving;
    private bool _drained;
    private volatile bool _drainRequested;

    public BlockingConnection(ModelServer server, Socket socket, long id, IPAddress? client, DrainSignal drainSignal)
        : base(server, socket, id, client) =>
        _drainSignal = drainSignal;

    /// <summary>Marks the connection for draining; the server then raises its <see cref="DrainSignal"/>, which wakes the thread if it waits for input.</summary>
    public override void Drain() => _drainRequested = true;

    /// <summary>Serves the connection on the calling thread until it closes.</summary>
    public void Run()
    {
        try
        {
            Socket.Blocking = false;
            Serve();
        }
        catch (Exception error)
        {
            // On a thread of its own an escaping exception would end the process.
            LogFailure(error);
        }
        finally
        {
            Close();
        }
    }

    private void Serve()
    {
        while (true)
        {
            if (Requests.TryDequeue(out var next))
            {
                Answer(next.Sequence, Handle(next.Request), Now());
                continue;
            }

            if (StreamsToContinue.TryDequeue(out var stream))
            {
                ReadNextPiece(stream);
                continue;
            }

            if (_drainRequested && !_drained)
            {
                _drained = true;
                Core.Drain(Now());
                continue;
            }

            if (SendOutput())
            {
                // Sending moves the core on: streams to continue, the close after the last answer.
                continue;
            }

            if (!KeepOpen())
            {
                return;
            }

            var now = Now();
            if (now >= Core.NextDeadline)
            {
                Core.CheckDeadlines(now);
                continue;
            }

            Receive();
        }
    }

    private HttpResponse Handle(HttpRequest request)
    {
        try
        {
            return Route(request).Handle();
        }
        catch (Exception error)
        {
            return Crashed(request, error);
        }
    }

    protected override void ReadNextPiece(ResponseStreamPump pump)
    {
        if (!pump.BeginRead())
        {
            return;
        }

        var count = 0;
        Exception? failure = null;
        try
        {
            count = pump.Read();
        }
        catch (Exception error)
        {
            failure = error;
        }

        if (pump.EndRead())
        {
            OnPieceRead(pump, count, failure, Now());
        }
    }

    /// <summary>
    /// Sends everything the core has ready, waiting for room in the socket as long as the deadlines
    /// allow; false when there was nothing to send.
    /// </summary>
    private bool SendOutput()
    {
        var pending = Core.TakeOutput(Now());
        if (pending.IsEmpty)
        {
            return false;
        }

        var stalled = false;
        while (!pending.IsEmpty)
        {
            var sent = Socket.Send(pending.Span, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                if (!stalled)
                {
                    // The client reads slower than we write: from now on it must keep to min-response-data-rate.
                    stalled = true;
                    Core.SendStalled(pending.Length, Now());
                }

                if (!Socket.Poll(DeadlineWait.Microseconds(Core.NextDeadline), SelectMode.SelectWrite))
                {
                    Core.CheckDeadlines(Now());
                    if (Core.State == ConnectionState.Closed)
                    {
                        return true;
                    }
                }

                continue;
            }

            if (error != SocketError.Success)
            {
                throw new SocketException((int)error);
            }

            pending = Core.Sent(sent, Now());
        }

        return true;
    }

    /// <summary>
    /// Waits, up to the next deadline, until the client's bytes can be read, and reads them. Memory is
    /// taken from the core only once bytes are there, so an idle connection holds no buffer.
    /// </summary>
    private void Receive()
    {
        if (!_receiving)
        {
            if (Core.ReadDemand == ReadDemand.None)
            {
                WaitForDrainOrDeadline();
                return;
            }

            if (!WaitUntilReadable())
            {
                return;
            }

            _receiveMemory = Core.GetReceiveMemory(Now());
            if (_receiveMemory.IsEmpty)
            {
                return;
            }

            _receiving = true;
        }
        else if (!WaitUntilReadable())
        {
            return;
        }

        var count = Socket.Receive(_receiveMemory.Span, SocketFlags.None, out var error);
        if (error == SocketError.WouldBlock)
        {
            // Readiness that did not last: wait again, into the same memory.
            return;
        }

        if (error != SocketError.Success)
        {
            throw new SocketException((int)error);
        }

        _receiving = false;
        Core.Received(count, Now());
    }

    /// <summary>True when the socket is readable; false when the wait ended on the deadline or the drain signal.</summary>
    private bool WaitUntilReadable()
    {
        var timeout = DeadlineWait.Microseconds(Core.NextDeadline);
        if (_drained)
        {
            return Socket.Poll(timeout, SelectMode.SelectRead);
        }

        _waitList.Clear();
        _waitList.Add(Socket);
        _waitList.Add(_drainSignal.Socket);
        Socket.Select(_waitList, null, null, timeout);
        return _waitList.Contains(Socket);
    }

    /// <summary>Nothing is to be read now: waits for the next deadline, a drain, or the socket's failure.</summary>
    private void WaitForDrainOrDeadline()
    {
        var timeout = DeadlineWait.Microseconds(Core.NextDeadline);
        if (_drained)
        {
            Socket.Poll(timeout, SelectMode.SelectError);
            return;
        }

        _waitList.Clear();
        _waitList.Add(_drainSignal.Socket);
        Socket.Select(_waitList, null, null, timeout);
    }
}
