using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using ActorHttp.Protocol;

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
internal sealed class TaskConnection : AsyncSocketConnection
{
    private readonly Channel<ConnectionEvent> _events = Channel.CreateUnbounded<ConnectionEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HttpResponse? _refusal;
    private readonly Action _onReceived;
    private readonly Action _onSent;
    private ValueTask<int> _receive;
    private ValueTask<int> _send;
    private Timer? _timer;

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
            CancelPending(Closing);
        }
    }

    /// <summary>Takes the next event off the connection's channel: completions and answers come back as these.</summary>
    protected override bool ApplyNextEvent(long now)
    {
        if (!_events.Reader.TryRead(out var happened))
        {
            return false;
        }

        Apply(happened, now);
        return true;
    }

    private void Apply(ConnectionEvent happened, long now)
    {
        switch (happened.Kind)
        {
            case ConnectionEventKind.Received:
                ReceiveCompleted(now);
                break;
            case ConnectionEventKind.Sent:
                SendCompleted(now);
                break;
            case ConnectionEventKind.Answered:
                Answer(happened.Sequence, happened.Response!, now);
                break;
            case ConnectionEventKind.PieceRead:
                OnPieceRead(happened.Pump!, happened.Count, happened.Failure, now);
                break;
            case ConnectionEventKind.DeadlineDue:
                // The step that follows checks what is due, and arms the timer again.
                TimerFired();
                break;
            case ConnectionEventKind.Drain:
                Core.Drain(now);
                break;
        }
    }

    /// <summary>
    /// Runs the handler as a work item of its own on the pool: the model's defining trait. The loop
    /// stays free while it runs, even if it blocks; its answer comes back as an event.
    /// </summary>
    protected override void RunHandler(HttpRequest request, long sequence, long now) =>
        ThreadPool.UnsafeQueueUserWorkItem(
            static work => _ = work.Connection.HandleAsync(work.Request, work.Sequence),
            (Connection: this, Request: request, Sequence: sequence),
            preferLocal: false);

    private async Task HandleAsync(HttpRequest request, long sequence)
    {
        HttpResponse response;
        try
        {
            response = await Route(request).HandleAsync(Closing.Token).ConfigureAwait(false);
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
            count = await pump.ReadAsync(Closing.Token).ConfigureAwait(false);
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

    /// <summary>Sends with the socket's own <c>ValueTask</c>; a pending one posts a <see cref="ConnectionEventKind.Sent"/> event when it completes.</summary>
    protected override bool StartSocketSend(ReadOnlyMemory<byte> output)
    {
        _send = Socket.SendAsync(output, SocketFlags.None);
        if (_send.IsCompleted)
        {
            return false;
        }

        _send.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onSent);
        return true;
    }

    protected override int SendResult() => _send.GetAwaiter().GetResult();

    /// <summary>Receives with the socket's own <c>ValueTask</c>; a pending one posts a <see cref="ConnectionEventKind.Received"/> event when it completes.</summary>
    protected override bool StartSocketReceive(Memory<byte> buffer)
    {
        _receive = Socket.ReceiveAsync(buffer, SocketFlags.None);
        if (_receive.IsCompleted)
        {
            return false;
        }

        _receive.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onReceived);
        return true;
    }

    protected override int ReceiveResult() => _receive.GetAwaiter().GetResult();

    /// <summary>
    /// Sets the connection's timer, made on first use, to post a <see cref="ConnectionEventKind.DeadlineDue"/>
    /// event by <paramref name="due"/>. The base sets it only for an earlier deadline, so a request
    /// (moving the idle deadline on) costs no timer change.
    /// </summary>
    protected override void SetTimer(long due)
    {
        _timer ??= new Timer(static state => ((TaskConnection)state!)._events.Writer.TryWrite(new ConnectionEvent(ConnectionEventKind.DeadlineDue)), this, Timeout.Infinite, Timeout.Infinite);
        _timer.Change(DeadlineWait.Milliseconds(due), Timeout.Infinite);
    }
}
