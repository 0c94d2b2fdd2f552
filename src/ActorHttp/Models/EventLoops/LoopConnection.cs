using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using ActorHttp.Protocol;
using ActorHttp.Protocol.Connection;

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
internal sealed class LoopConnection : ModelConnection
{
    private readonly EventLoop _loop;
    private readonly LoopSocketOperation _receiver;
    private readonly LoopSocketOperation _sender;
    private readonly LoopTimer _timer;

    // Handed to handlers and stream reads: cancelled once nobody can use their result any more.
    private readonly CancellationTokenSource _closing = new();
    private long _timerDue = long.MaxValue;
    private bool _receivePending;
    private bool _receiveIsWait;
    private bool _sendPending;

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
        if (due != _timerDue)
        {
            return;
        }

        _timerDue = long.MaxValue;
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
            reading = pump.ReadAsync(_closing.Token);
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
        _receivePending = false;
        if (IsClosed)
        {
            // The socket was closed under this receive; nothing waits for it.
            _receiver.Dispose();
            return;
        }

        try
        {
            var count = _receiver.Transferred();
            var now = Now();
            if (!_receiveIsWait)
            {
                Core.Received(count, now);
            }
            else if (Core.ReadDemand != ReadDemand.None)
            {
                ReceiveNow(now);
            }

            Continue();
        }
        catch (Exception error)
        {
            Fail(error);
        }
    }

    private void OnSendCompleted()
    {
        _sendPending = false;
        if (IsClosed)
        {
            _sender.Dispose();
            return;
        }

        try
        {
            var now = Now();
            Send(Core.Sent(_sender.Transferred(), now), now);
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

    private bool Step()
    {
        while (true)
        {
            var now = Now();
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

            if (!_sendPending)
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
            if (!_receivePending && StartReceive(now))
            {
                continue;
            }

            return true;
        }
    }

    /// <summary>
    /// Calls the handler on the loop. An answer ready at once goes to the core at once; otherwise the
    /// handler is awaited, and resumes (with it, the connection) on the loop when its answer comes.
    /// </summary>
    private void RunHandler(HttpRequest request, long sequence, long now)
    {
        ValueTask<HttpResponse> answer;
        try
        {
            answer = Route(request).HandleAsync(_closing.Token);
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
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
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

    private void Send(ReadOnlyMemory<byte> output, long now)
    {
        while (!output.IsEmpty)
        {
            _sender.SetBuffer(MemoryMarshal.AsMemory(output));
            if (Socket.SendAsync(_sender))
            {
                _sendPending = true;
                // The client reads slower than we write: from now on it must keep to min-response-data-rate.
                Core.SendStalled(output.Length, now);
                return;
            }

            output = Core.Sent(_sender.Transferred(), now);
        }
    }

    /// <summary>Starts reading as the core asks; true when that completed at once (and the core has been told).</summary>
    private bool StartReceive(long now)
    {
        switch (Core.ReadDemand)
        {
            case ReadDemand.WaitForData:
                // Between requests: wait for bytes without holding a buffer.
                _receiver.SetBuffer(Memory<byte>.Empty);
                if (Socket.ReceiveAsync(_receiver))
                {
                    _receivePending = true;
                    _receiveIsWait = true;
                    return false;
                }

                _receiver.Transferred();
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

        _receiver.SetBuffer(memory);
        if (Socket.ReceiveAsync(_receiver))
        {
            _receivePending = true;
            _receiveIsWait = false;
            return false;
        }

        Core.Received(_receiver.Transferred(), now);
        return true;
    }

    /// <summary>
    /// Puts the core's next deadline in the loop's heap. Only an earlier deadline adds an entry; a
    /// later one (the idle deadline moving on with each request) is left to the check the pending
    /// entry makes when it fires, so a request costs no heap operation.
    /// </summary>
    private void ArmTimer()
    {
        var due = Core.NextDeadline;
        if (due < _timerDue)
        {
            _timerDue = due;
            _loop.AddTimer(_timer, due);
        }
    }

    private void Finish()
    {
        if (IsClosed)
        {
            return;
        }

        Close();
        _timer.Release();
        CancelPending(_closing);
        if (!_receivePending)
        {
            _receiver.Dispose();
        }

        if (!_sendPending)
        {
            _sender.Dispose();
        }
    }
}
