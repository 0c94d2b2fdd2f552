using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using ActorHttp.Protocol;

namespace ActorHttp.Models.EventLoops;

/// <summary>
/// A connection on an event loop: every call into its core, and every handler it runs, happens on
/// the loop's one thread. Socket operations are async, their completions posted back to the loop;
/// the next deadline is a timer in the loop's heap. Handlers are called through <c>HandleAsync</c>
/// on the loop, so an <c>await</c> in them frees the loop and resumes on it.
/// </summary>
/// <remarks>
/// What this model cannot do: a handler that blocks or computes holds the loop, and with it every
/// connection of the loop: no byte is read or sent and no deadline fires until it returns (its
/// answer then goes out whole, late, with no 503). <c>handler-timeout</c> answers 503 only for a
/// handler that is waiting asynchronously.
/// </remarks>
internal sealed class LoopConnection : AsyncSocketConnection
{
    private readonly EventLoop _loop;
    private readonly LoopSocketOperation _receiver;
    private readonly LoopSocketOperation _sender;
    private readonly LoopTimer _timer;

    public LoopConnection(ModelServer server, Socket socket, long id, IPAddress? client, EventLoop loop)
        : base(server, socket, id, client)
    {
        _loop = loop;
        _receiver = new LoopSocketOperation(loop, static state => ((LoopConnection)state!).OnReceiveCompleted(), this);
        _sender = new LoopSocketOperation(loop, static state => ((LoopConnection)state!).OnSendCompleted(), this);
        _timer = new LoopTimer(this);
    }

    /// <summary>Starts serving on the loop.</summary>
    public void Start() => _loop.Post(static state => ((LoopConnection)state!).Continue(), this);

    public override void Drain() => _loop.Post(static state => ((LoopConnection)state!).DrainNow(), this);

    /// <summary>The loop's timer for this connection fired; a stale one (the deadline was set again since) is ignored.</summary>
    public void OnTimer(long due)
    {
        if (due != TimerDue)
        {
            return;
        }

        TimerFired();
        Continue();
    }

    protected override void ReadNextPiece(ResponseStreamPump pump)
    {
        if (!pump.BeginRead())
        {
            return;
        }

        ValueTask<int> reading;
        try
        {
            reading = pump.ReadAsync(Closing.Token);
        }
        catch (Exception error)
        {
            reading = ValueTask.FromException<int>(error);
        }

        if (reading.IsCompletedSuccessfully)
        {
            if (pump.EndRead())
            {
                OnPieceRead(pump, reading.Result, null, Now());
            }

            return;
        }

        _ = AwaitPieceAsync(pump, reading);
    }

    private async Task AwaitPieceAsync(ResponseStreamPump pump, ValueTask<int> reading)
    {
        var count = 0;
        Exception? failure = null;
        try
        {
            // Resumes on the loop: its SynchronizationContext is current.
            count = await reading;
        }
        catch (Exception error)
        {
            failure = error;
        }

        if (!pump.EndRead() || IsClosed)
        {
            return;
        }

        try
        {
            OnPieceRead(pump, count, failure, Now());
            Continue();
        }
        catch (Exception error)
        {
            Fail(error);
        }
    }

    private void DrainNow()
    {
        if (IsClosed)
        {
            return;
        }

        try
        {
            Core.Drain(Now());
            Continue();
        }
        catch (Exception error)
        {
            Fail(error);
        }
    }

    private void OnReceiveCompleted()
    {
        if (IsClosed)
        {
            // The socket was closed under this receive; nothing waits for it.
            _receiver.Dispose();
            return;
        }

        try
        {
            ReceiveCompleted(Now());
            Continue();
        }
        catch (Exception error)
        {
            Fail(error);
        }
    }

    private void OnSendCompleted()
    {
        if (IsClosed)
        {
            _sender.Dispose();
            return;
        }

        try
        {
            SendCompleted(Now());
            Continue();
        }
        catch (Exception error)
        {
            Fail(error);
        }
    }

    /// <summary>Does everything that needs no waiting, then returns to the loop; closes the connection once it is over.</summary>
    private void Continue()
    {
        try
        {
            if (!Step())
            {
                Finish();
            }
        }
        catch (Exception error)
        {
            Fail(error);
        }
    }

    private void Fail(Exception error)
    {
        LogFailure(error);
        Finish();
    }

    /// <summary>Completions are not queued here: each is posted to the loop, and runs the step itself.</summary>
    protected override bool ApplyNextEvent(long now) => false;

    /// <summary>
    /// Calls the handler inline, on the loop: the model's defining trait. An answer ready at once goes
    /// to the core at once; otherwise the handler is awaited, and resumes (with it, the connection) on
    /// the loop when its answer comes. Until the handler returns or awaits, the loop serves nothing else.
    /// </summary>
    protected override void RunHandler(HttpRequest request, long sequence, long now)
    {
        ValueTask<HttpResponse> answer;
        try
        {
            answer = Route(request).HandleAsync(Closing.Token);
        }
        catch (Exception error)
        {
            Answer(sequence, Crashed(request, error), now);
            return;
        }

        if (answer.IsCompletedSuccessfully)
        {
            Answer(sequence, answer.Result, now);
            return;
        }

        _ = AwaitAnswerAsync(request, sequence, answer);
    }

    private async Task AwaitAnswerAsync(HttpRequest request, long sequence, ValueTask<HttpResponse> answer)
    {
        HttpResponse response;
        try
        {
            // Resumes on the loop: its SynchronizationContext is current.
            response = await answer;
        }
        catch (OperationCanceledException) when (Closing.IsCancellationRequested)
        {
            // The connection closed first: nobody waits for this answer.
            return;
        }
        catch (Exception error)
        {
            response = Crashed(request, error);
        }

        if (IsClosed)
        {
            return;
        }

        try
        {
            Answer(sequence, response, Now());
            Continue();
        }
        catch (Exception error)
        {
            Fail(error);
        }
    }

    /// <summary>Sends with the connection's one send operation; a pending one completes on the loop (<see cref="OnSendCompleted"/>).</summary>
    protected override bool StartSocketSend(ReadOnlyMemory<byte> output)
    {
        _sender.SetBuffer(MemoryMarshal.AsMemory(output));
        return Socket.SendAsync(_sender);
    }

    protected override int SendResult() => _sender.Transferred();

    /// <summary>Receives with the connection's one receive operation; a pending one completes on the loop (<see cref="OnReceiveCompleted"/>).</summary>
    protected override bool StartSocketReceive(Memory<byte> buffer)
    {
        _receiver.SetBuffer(buffer);
        return Socket.ReceiveAsync(_receiver);
    }

    protected override int ReceiveResult() => _receiver.Transferred();

    /// <summary>
    /// Puts the deadline in the loop's heap. The base sets it only for an earlier deadline, so a later
    /// one adds no entry: it is left to the check the pending entry makes when it fires
    /// (<see cref="OnTimer"/>), and a request costs no heap operation.
    /// </summary>
    protected override void SetTimer(long due) => _loop.AddTimer(_timer, due);

    private void Finish()
    {
        if (IsClosed)
        {
            return;
        }

        Close();
        _timer.Release();
        CancelPending(Closing);
        if (!ReceivePending)
        {
            _receiver.Dispose();
        }

        if (!SendPending)
        {
            _sender.Dispose();
        }
    }
}
