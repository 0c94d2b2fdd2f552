using System.Net;
using System.Net.Sockets;
using ActorHttp.Protocol;
using ActorHttp.Protocol.Connection;

namespace ActorHttp.Models;

/// <summary>
/// A connection of the two models that never block on their socket, <c>eventloop</c> and
/// <c>tasks</c>: one step (<see cref="Step"/>) does everything that needs no waiting, then returns,
/// leaving at most one receive, one send and one timer pending; whichever of them completes (or a
/// handler's answer, or a piece of a streamed body) runs the step again, on the connection's one
/// thread at a time. The step, the receive and send bookkeeping and the timer's "only an earlier
/// deadline" rule are here, the same for both.
/// </summary>
/// <remarks>
/// What differs between the two models is abstract, and is what a reader should compare:
/// <list type="bullet">
/// <item><see cref="RunHandler"/>: the event loop calls the handler inline on the loop (a blocking
/// handler stalls the loop); tasks queue it as a work item of its own on the pool (a blocking
/// handler holds a pool thread, not the connection).</item>
/// <item><see cref="StartSocketSend"/>, <see cref="StartSocketReceive"/> and their results: the event
/// loop reuses one <c>SocketAsyncEventArgs</c> per direction, its completion posted to the loop;
/// tasks await the socket's <c>ValueTask</c>, its completion written as an event to the
/// connection's channel.</item>
/// <item><see cref="ApplyNextEvent"/>: only tasks queue what happened for the step to take; the
/// event loop runs each completion as a callback on the loop, which runs the step itself.</item>
/// <item><see cref="SetTimer"/>: an entry in the loop's heap, or a <c>System.Threading.Timer</c>.</item>
/// </list>
/// </remarks>
internal abstract class AsyncSocketConnection : ModelConnection
{
    private long _timerDue = long.MaxValue;
    private bool _receiveIsWait;

    protected AsyncSocketConnection(ModelServer server, Socket socket, long id, IPAddress? client)
        : base(server, socket, id, client)
    {
    }

    /// <summary>Handed to handlers and stream reads: cancelled once nobody can use their result any more.</summary>
    protected CancellationTokenSource Closing { get; } = new();

    /// <summary>A receive (or zero-byte wait for data) has been started and has not completed yet.</summary>
    protected bool ReceivePending { get; private set; }

    /// <summary>A send has been started and has not completed yet.</summary>
    protected bool SendPending { get; private set; }

    /// <summary>The deadline the timer is set for; <see cref="long.MaxValue"/> when none is.</summary>
    protected long TimerDue => _timerDue;

    /// <summary>
    /// Does everything that needs no waiting: what happened meanwhile, handlers for new requests,
    /// streams to continue, output to send, deadlines due; then sets the timer and starts a receive.
    /// False once the connection is over (the model then closes it).
    /// </summary>
    protected bool Step()
    {
        while (true)
        {
            var now = Now();
            if (ApplyNextEvent(now))
            {
                continue;
            }

            if (Requests.TryDequeue(out var next))
            {
                RunHandler(next.Request, next.Sequence, now);
                continue;
            }

            if (StreamsToContinue.TryDequeue(out var stream))
            {
                ReadNextPiece(stream);
                continue;
            }

            if (!SendPending)
            {
                var output = Core.TakeOutput(now);
                if (!output.IsEmpty)
                {
                    Send(output, now);
                    continue;
                }
            }

            if (!KeepOpen())
            {
                return false;
            }

            if (now >= Core.NextDeadline)
            {
                Core.CheckDeadlines(now);
                continue;
            }

            ArmTimer();
            if (!ReceivePending && StartReceive(now))
            {
                continue;
            }

            return true;
        }
    }

    /// <summary>Acts on one thing that happened since the last step, if the model queues them; false when there is none.</summary>
    protected abstract bool ApplyNextEvent(long now);

    /// <summary>
    /// Starts the handler of <paramref name="request"/>, in the model's own way; its answer (or the
    /// 500 of its crash, <see cref="ModelConnection.Crashed"/>) goes to
    /// <see cref="ModelConnection.Answer"/> on the connection's thread.
    /// </summary>
    protected abstract void RunHandler(HttpRequest request, long sequence, long now);

    /// <summary>
    /// Starts sending <paramref name="output"/>: true when the send is pending (its completion then
    /// calls <see cref="SendCompleted"/> on the connection's thread), false when it completed at once.
    /// </summary>
    protected abstract bool StartSocketSend(ReadOnlyMemory<byte> output);

    /// <summary>The bytes the last send moved, once it has completed; throws when it failed.</summary>
    protected abstract int SendResult();

    /// <summary>
    /// Starts receiving into <paramref name="buffer"/> (empty: waits for data without holding a
    /// buffer): true when the receive is pending (its completion then calls
    /// <see cref="ReceiveCompleted"/> on the connection's thread), false when it completed at once.
    /// </summary>
    protected abstract bool StartSocketReceive(Memory<byte> buffer);

    /// <summary>The bytes the last receive moved, once it has completed; throws when it failed.</summary>
    protected abstract int ReceiveResult();

    /// <summary>Has the model run the step again by <paramref name="due"/>, a timestamp.</summary>
    protected abstract void SetTimer(long due);

    /// <summary>The timer fired: the next step checks what is due, and sets it again.</summary>
    protected void TimerFired() => _timerDue = long.MaxValue;

    /// <summary>The pending send completed: the core is told, and what it has left is sent on.</summary>
    protected void SendCompleted(long now)
    {
        SendPending = false;
        Send(Core.Sent(SendResult(), now), now);
    }

    /// <summary>The pending receive completed: the core gets the bytes; after a wait for data, the real read is started.</summary>
    protected void ReceiveCompleted(long now)
    {
        ReceivePending = false;
        var count = ReceiveResult();
        if (!_receiveIsWait)
        {
            Core.Received(count, now);
        }
        else if (Core.ReadDemand != ReadDemand.None)
        {
            ReceiveNow(now);
        }
    }

    /// <summary>Sends <paramref name="output"/>; what completes at once is reported at once, the rest when its send completes.</summary>
    private void Send(ReadOnlyMemory<byte> output, long now)
    {
        while (!output.IsEmpty)
        {
            if (StartSocketSend(output))
            {
                SendPending = true;
                // The client reads slower than we write: from now on it must keep to min-response-data-rate.
                Core.SendStalled(output.Length, now);
                return;
            }

            output = Core.Sent(SendResult(), now);
        }
    }

    /// <summary>Starts reading as the core asks; true when that completed at once (and the core has been told).</summary>
    private bool StartReceive(long now)
    {
        switch (Core.ReadDemand)
        {
            case ReadDemand.WaitForData:
                // Between requests: wait for bytes without holding a buffer.
                if (StartSocketReceive(Memory<byte>.Empty))
                {
                    ReceivePending = true;
                    _receiveIsWait = true;
                    return false;
                }

                ReceiveResult();
                return ReceiveNow(now);
            case ReadDemand.Receive:
                return ReceiveNow(now);
            default:
                return false;
        }
    }

    private bool ReceiveNow(long now)
    {
        var memory = Core.GetReceiveMemory(now);
        if (memory.IsEmpty)
        {
            // The core refused the head in progress; the step goes on with its answer.
            return true;
        }

        if (StartSocketReceive(memory))
        {
            ReceivePending = true;
            _receiveIsWait = false;
            return false;
        }

        Core.Received(ReceiveResult(), now);
        return true;
    }

    /// <summary>
    /// Makes sure the timer fires by the core's next deadline. It is set again only for an earlier
    /// deadline: a later one (the idle deadline moving on with each request) is left to the check the
    /// pending firing makes, so a request costs no timer change.
    /// </summary>
    private void ArmTimer()
    {
        var due = Core.NextDeadline;
        if (due < _timerDue)
        {
            _timerDue = due;
            SetTimer(due);
        }
    }
}
