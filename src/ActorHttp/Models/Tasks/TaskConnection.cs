using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using ActorHttp.Protocol;
using ActorHttp.Protocol.Connection;

namespace ActorHttp.Models.Tasks;

/// <summary>
/// A connection served by one async loop on the .NET thread pool: the loop does all it can without
/// waiting, then awaits the next <see cref="ConnectionEvent"/>: a receive or send completing, a
/// handler answering, a piece of a streamed answer read, the deadline timer, a drain. So it waits
/// on input, answers and its next deadline at once, holding no thread while it waits.
/// </summary>
/// <remarks>
/// <para>
/// Handlers run as work items of their own on the pool and are awaited there
/// (<c>HandleAsync</c>); their answers come back as events. The loop is therefore free while a
/// handler runs, even one that blocks its thread, and <c>handler-timeout</c> answers 503 on time.
/// What hurts this model is blocking in general: each blocked handler holds a pool thread, and once
/// they are all held the pool grows only slowly (about one thread a second), so every connection's
/// loop waits for a thread (sync-over-async starvation).
/// </para>
/// <para>
/// Sockets are used directly (<c>Socket.ReceiveAsync</c> into the core's own buffer), not through
/// System.IO.Pipelines: the core owns its receive buffer and batches its own output, so a pipe would
/// add a copy each way and a second buffer per connection for nothing.
/// </para>
/// <para>Also the form every model refuses a connection in (a <c>503</c> past a limit): the refusal is sent, then the connection lingers and closes.</para>
/// </remarks>
internal sealed class TaskConnection : ModelConnection
{
    private readonly Channel<ConnectionEvent> _events = Channel.CreateUnbounded<ConnectionEvent>(new UnboundedChannelOptions { SingleReader = true });

    // Handed to handlers and stream reads: cancelled once nobody can use their result any more.
    private readonly CancellationTokenSource _closing = new();
    private readonly HttpResponse? _refusal;
    private readonly Action _onReceived;
    private readonly Action _onSent;
    private ValueTask<int> _receive;
    private ValueTask<int> _send;
    private Timer? _timer;
    private long _timerDue = long.MaxValue;
    private bool _receivePending;
    private bool _receiveIsWait;
    private bool _sendPending;

    /// <param name="refusal">An answer that refuses the connection outright (a limit was reached): sent, then the connection closes.</param>
    public TaskConnection(ModelServer server, Socket socket, long id, IPAddress? client, HttpResponse? refusal = null)
        : base(server, socket, id, client)
    {
        _refusal = refusal;
        _onReceived = () => _events.Writer.TryWrite(new ConnectionEvent(ConnectionEventKind.Received));
        _onSent = () => _events.Writer.TryWrite(new ConnectionEvent(ConnectionEventKind.Sent));
    }

    /// <summary>Starts the connection's loop on the thread pool.</summary>
    public void Start() => ThreadPool.UnsafeQueueUserWorkItem(static connection => _ = connection.RunAsync(), this, preferLocal: false);

    public override void Drain() => _events.Writer.TryWrite(new ConnectionEvent(ConnectionEventKind.Drain));

    private async Task RunAsync()
    {
        try
        {
            if (_refusal is not null)
            {
                Core.Refuse(_refusal, Now());
            }

            while (Step())
            {
                await _events.Reader.WaitToReadAsync().ConfigureAwait(false);
            }
        }
        catch (Exception error)
        {
            LogFailure(error);
        }
        finally
        {
            _timer?.Dispose();
            Close();
            CancelPending(_closing);
        }
    }

    /// <summary>Does everything that needs no waiting; false once the connection is over.</summary>
    private bool Step()
    {
        while (true)
        {
            var now = Now();
            if (_events.Reader.TryRead(out var happened))
            {
                Apply(happened, now);
                continue;
            }

            if (Requests.TryDequeue(out var next))
            {
                Dispatch(next.Request, next.Sequence);
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

    private void Apply(ConnectionEvent happened, long now)
    {
        switch (happened.Kind)
        {
            case ConnectionEventKind.Received:
                OnReceived(now);
                break;
            case ConnectionEventKind.Sent:
                _sendPending = false;
                Send(Core.Sent(_send.GetAwaiter().GetResult(), now), now);
                break;
            case ConnectionEventKind.Answered:
                Answer(happened.Sequence, happened.Response!, now);
                break;
            case ConnectionEventKind.PieceRead:
                OnPieceRead(happened.Pump!, happened.Count, happened.Failure, now);
                break;
            case ConnectionEventKind.DeadlineDue:
                // The step that follows checks what is due, and arms the timer again.
                _timerDue = long.MaxValue;
                break;
            case ConnectionEventKind.Drain:
                Core.Drain(now);
                break;
        }
    }

    /// <summary>Runs the handler as a work item of its own, so that the loop stays free while it runs.</summary>
    private void Dispatch(HttpRequest request, long sequence) =>
        ThreadPool.UnsafeQueueUserWorkItem(
            static work => _ = work.Connection.HandleAsync(work.Request, work.Sequence),
            (Connection: this, Request: request, Sequence: sequence),
            preferLocal: false);

    private async Task HandleAsync(HttpRequest request, long sequence)
    {
        HttpResponse response;
        try
        {
            response = await Route(request).HandleAsync(_closing.Token).ConfigureAwait(false);
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

        _events.Writer.TryWrite(new ConnectionEvent(ConnectionEventKind.Answered, sequence, response));
    }

    protected override void ReadNextPiece(ResponseStreamPump pump)
    {
        if (pump.BeginRead())
        {
            _ = ReadPieceAsync(pump);
        }
    }

    private async Task ReadPieceAsync(ResponseStreamPump pump)
    {
        var count = 0;
        Exception? failure = null;
        try
        {
            count = await pump.ReadAsync(_closing.Token).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            failure = error;
        }

        if (pump.EndRead())
        {
            _events.Writer.TryWrite(new ConnectionEvent(ConnectionEventKind.PieceRead, pump.Sequence, Pump: pump, Count: count, Failure: failure));
        }
    }

    /// <summary>Sends <paramref name="output"/>; what completes at once is reported at once, the rest when its send completes.</summary>
    private void Send(ReadOnlyMemory<byte> output, long now)
    {
        while (!output.IsEmpty)
        {
            var sending = Socket.SendAsync(output, SocketFlags.None);
            if (!sending.IsCompleted)
            {
                _send = sending;
                _sendPending = true;
                // The client reads slower than we write: from now on it must keep to min-response-data-rate.
                Core.SendStalled(output.Length, now);
                sending.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onSent);
                return;
            }

            output = Core.Sent(sending.GetAwaiter().GetResult(), now);
        }
    }

    /// <summary>Starts reading as the core asks; true when that completed at once (and the core has been told).</summary>
    private bool StartReceive(long now)
    {
        switch (Core.ReadDemand)
        {
            case ReadDemand.WaitForData:
                // Between requests: wait for bytes without holding a buffer.
                var waiting = Socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                if (waiting.IsCompleted)
                {
                    waiting.GetAwaiter().GetResult();
                    return ReceiveNow(now);
                }

                Pend(waiting, isWait: true);
                return false;
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

        var receiving = Socket.ReceiveAsync(memory, SocketFlags.None);
        if (receiving.IsCompleted)
        {
            Core.Received(receiving.GetAwaiter().GetResult(), now);
            return true;
        }

        Pend(receiving, isWait: false);
        return false;
    }

    private void Pend(ValueTask<int> receiving, bool isWait)
    {
        _receive = receiving;
        _receivePending = true;
        _receiveIsWait = isWait;
        receiving.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onReceived);
    }

    private void OnReceived(long now)
    {
        _receivePending = false;
        var count = _receive.GetAwaiter().GetResult();
        if (!_receiveIsWait)
        {
            Core.Received(count, now);
        }
        else if (Core.ReadDemand != ReadDemand.None)
        {
            ReceiveNow(now);
        }
    }

    /// <summary>
    /// Makes sure the timer fires by the core's next deadline. It is set again only for an earlier
    /// deadline: a later one (the idle deadline moving on with each request) is left to the check the
    /// pending firing makes, so a request costs no timer change.
    /// </summary>
    private void ArmTimer()
    {
        var due = Core.NextDeadline;
        if (due >= _timerDue)
        {
            return;
        }

        _timerDue = due;
        _timer ??= new Timer(static state => ((TaskConnection)state!)._events.Writer.TryWrite(new ConnectionEvent(ConnectionEventKind.DeadlineDue)), this, Timeout.Infinite, Timeout.Infinite);
        _timer.Change(DeadlineWait.Milliseconds(due), Timeout.Infinite);
    }
}
