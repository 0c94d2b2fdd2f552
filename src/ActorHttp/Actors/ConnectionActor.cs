using System.Diagnostics;
using System.Net.Sockets;
using ActorHttp.Hosting;
using ActorHttp.Models;
using ActorHttp.Observability;
using ActorHttp.Protocol;
using ActorHttp.Protocol.Connection;
using Akka.Actor;
using Akka.Event;
using IPEndPoint = System.Net.IPEndPoint;

namespace ActorHttp.Actors;

/// <summary>
/// The actor model's host of one connection: it owns the accepted socket for its whole life and
/// moves bytes and messages between it and the connection core (<see cref="Http1Connection"/>),
/// which holds the protocol. Receives and sends complete as messages to this actor; each parsed
/// request goes to the router tagged with its sequence number, and handlers answer straight back
/// here; one scheduled check at a time serves every deadline the core names.
/// </summary>
/// <remarks>
/// Every message ends in <see cref="Drive"/>: send what the core has ready, act on its state (close,
/// half-close), arm the deadline check, read what it asks for. So the rules live in the core, and
/// this actor only does what no core can: sockets, mailbox and scheduler.
/// </remarks>
public sealed class ConnectionActor : UntypedActor, IConnectionHost
{
    private readonly Socket _socket;
    private readonly long _connectionId;
    private readonly IActorRef _router;
    private readonly HttpResponse? _refusal;
    private readonly ConnectionSlot _slot;
    private readonly AccessLogWriter? _accessLog;
    private readonly Http1Connection _core;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ServerObservability? _observability;
    private readonly ServerMetrics? _metrics;
    private readonly ConnectionObservations? _observed;
    private long _openedTimestamp;

    // Cancels, in PostStop, every check still scheduled (they are never cancelled one by one).
    private readonly Cancelable _scheduled = new(Context.System.Scheduler);

    // Checks are never further apart than the shortest timeout, so a deadline that appears later (a
    // request on an idle connection) is usually covered by the check already pending.
    private readonly long _shortestTicks;
    private readonly int _pipeliningLimit;

    // Handlers doing async work for a request, to tell if its client goes away (WatchClient); only
    // requests still in flight, so never more than the pipelining limit. Null until first needed.
    private Dictionary<long, IActorRef>? _clientWatchers;
    private string? _clientGoneReason;
    private SocketOperation _receiver = null!;
    private SocketOperation? _sender;
    private long _checkDue;
    private long _publishedIdleSince;

    // What this actor has under way with the socket; the protocol's state is the core's.
    private bool _receiving;
    private bool _awaitingData;
    private bool _sending;
    private bool _halfClosed;
    private bool _flushScheduled;
    private bool _flushing;

    public ConnectionActor(Socket socket, long connectionId, ServerSettings settings, IActorRef router, HttpResponse? refusal, StreamedBodyRoutes? streamedBodies, ConnectionSlot? slot, AccessLogWriter? accessLog, Serilog.ILogger? log, ServerObservability? observability = null)
    {
        _observability = observability;
        _metrics = observability?.Metrics;
        _observed = observability is null ? null : new ConnectionObservations(settings.PipeliningLimit);
        _accessLog = accessLog;
        _socket = socket;
        _connectionId = connectionId;
        _router = router;
        _refusal = refusal;
        _slot = slot ?? new ConnectionSlot((socket.RemoteEndPoint as IPEndPoint)?.Address);
        _core = new Http1Connection(settings.ToConnectionSettings(streamedBodies?.Lookup, accessLog is not null), this, connectionId, log);
        _shortestTicks = StopwatchTicks(new[] { settings.IdleTimeout, settings.RequestHeaderTimeout, settings.HandlerTimeout }.Min());
        _pipeliningLimit = settings.PipeliningLimit;
    }

    /// <param name="refusal">An answer that refuses the connection outright (a connection limit was reached): sent, then the connection closes.</param>
    /// <param name="slot">What the listener may read of this connection (its client, whether it is idle); a private one when null.</param>
    /// <param name="accessLog">Where each answered request is logged; null for no access log.</param>
    /// <param name="log">Where the connection core logs (refusals, broken answers); nowhere when null.</param>
    /// <param name="observability">Metrics, traces, request ids and trusted proxies; null for none of them.</param>
    public static Props Props(Socket socket, long connectionId, ServerSettings settings, IActorRef router, HttpResponse? refusal = null, StreamedBodyRoutes? streamedBodies = null, ConnectionSlot? slot = null, AccessLogWriter? accessLog = null, Serilog.ILogger? log = null, ServerObservability? observability = null) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(socket, connectionId, settings, router, refusal, streamedBodies, slot, accessLog, log, observability));

    int IConnectionHost.BytesWaitingInKernel
    {
        get
        {
            try
            {
                return _socket.Available;
            }
            catch (Exception error) when (error is SocketException or ObjectDisposedException)
            {
                return 0;
            }
        }
    }

    long? IConnectionHost.BytesAcknowledged => TcpProgress.BytesAcknowledged(_socket);

    protected override void PreStart()
    {
        // Responses are batched by the core; Nagle would only add latency to the last segment.
        _socket.NoDelay = true;
        _receiver = new SocketOperation(Self, BytesReceived.Of, static error => new ReceiveFailed(error));
        if (_refusal is not null)
        {
            _core.Refuse(_refusal, Stopwatch.GetTimestamp());
        }
        else if (_metrics is not null)
        {
            _openedTimestamp = Stopwatch.GetTimestamp();
            _metrics.ConnectionOpened(_socket.AddressFamily);
        }

        Drive(Stopwatch.GetTimestamp());
    }

    protected override void PostStop()
    {
        if (_metrics is not null && _openedTimestamp != 0)
        {
            _metrics.ConnectionClosed(_socket.AddressFamily, _openedTimestamp);
        }

        _observed?.AbandonAll(_metrics);
        _slot.IdleSince = 0;
        _scheduled.Cancel();
        _core.Release();
        TellClientGone(_clientGoneReason ?? "the connection closed");
        if (!_core.ResetOnClose && !_halfClosed)
        {
            // On Linux, disposing a socket with a receive pending (the zero-byte wait between
            // requests) resets the connection; shutting the sending side first makes it a close the
            // client reads as the end of the connection (an idle or reclaimed keep-alive connection).
            try
            {
                _socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception error) when (error is SocketException or ObjectDisposedException)
            {
                // Already broken: disposing is all that is left to do.
            }
        }

        _socket.Dispose();

        // An operation still pending may touch its buffer until the socket's abort lands.
        if (!_receiving)
        {
            _receiver.Dispose();
        }

        if (!_sending && _sender is not null)
        {
            SendOperations.Return(_sender);
        }
    }

    protected override void OnReceive(object message)
    {
        var now = Stopwatch.GetTimestamp();
        switch (message)
        {
            case BytesReceived received:
                OnBytesReceived(received.Count, now);
                return;
            case BytesSent sent:
                _metrics?.BytesSent(sent.Count);
                SendRest(_core.Sent(sent.Count, now), now);
                break;
            case ResponseReady ready:
                _clientWatchers?.Remove(ready.Sequence);
                var response = ready.Response;
                if (_observed is not null && _observed.Find(ready.Sequence) is { } observed)
                {
                    observed.Route = ready.Route;
                    if (observed.RequestId is { } requestId)
                    {
                        response = response.WithHeader(RequestIds.HeaderName, requestId);
                    }
                }

                if (response is { Streamed: true, BodyStream: { } body })
                {
                    PumpBody(ready.Sequence, response, body, now);
                }
                else
                {
                    _core.Respond(ready.Sequence, response, now, Sender.IsNobody() ? null : Sender);
                }

                break;
            case ContinueResponseStream continued:
                ReadNextPiece(continued.Pump);
                break;
            case ResponsePieceRead read:
                OnPieceRead(read, now);
                break;
            case WatchClient watch:
                WatchForClientGone(watch.Sequence, Sender);
                return;
            case ResponseBodyChunk chunk:
                if (!_core.RespondChunk(chunk.Sequence, chunk.Data, now) && !Sender.IsNobody())
                {
                    Sender.Tell(new ResponseAborted(chunk.Sequence));
                }

                break;
            case ResponseBodyEnd end:
                _core.RespondEnd(end.Sequence, now);
                break;
            case ResponseBodyAbort abort:
                _core.AbortResponse(abort.Sequence);
                break;
            case ReadRequestBody read:
                if (!_core.WantBody(read.Sequence, Sender, now))
                {
                    Sender.Tell(new RequestBodyAborted(read.Sequence, "no body is being read for this request"));
                }

                break;
            case DeadlineCheck:
                _checkDue = 0;
                _core.CheckDeadlines(now);
                break;
            case Drain:
                _core.Drain(now);
                break;
            case ReclaimIdle:
                // The listener claimed this connection's slot for a new client while it was idle; if
                // it has become busy since, it stays (the limit is exceeded by one until a connection
                // closes), as closing it would drop a request in flight. An idle one closes without a
                // word, as nginx closes the keep-alive connections it reclaims.
                _core.Reclaim();
                break;
            case FlushOutput:
                _flushScheduled = false;
                _flushing = true;
                Drive(now);
                _flushing = false;
                return;
            case ReceiveFailed failed:
                _log.Debug("Connection {ConnectionId}: receive failed: {Error}", _connectionId, failed.Error.Message);
                _receiving = false;
                Context.Stop(Self);
                return;
            case SendFailed failed:
                _log.Debug("Connection {ConnectionId}: send failed: {Error}", _connectionId, failed.Error.Message);
                _sending = false;
                Context.Stop(Self);
                return;
            default:
                Unhandled(message);
                return;
        }

        Drive(now);
    }

    private void OnBytesReceived(int count, long now)
    {
        _receiving = false;
        if (_awaitingData)
        {
            // The zero-byte wait ended: bytes (or the end of input) are waiting to be read.
            _awaitingData = false;
            ReceiveAvailable(now);
            return;
        }

        _metrics?.BytesReceived(count);
        Received(count, now);
        Drive(now);
    }

    private void Received(int count, long now)
    {
        _core.Received(count, now);
        if (count == 0)
        {
            // The client closed its side. Requests already read are still answered (a client that
            // only half-closed may read them), but async work for them may stop, as Kestrel does.
            _clientGoneReason = "the client closed the connection";
            TellClientGone(_clientGoneReason);
        }
    }

    /// <summary>Reads what the zero-byte wait announced; that read completes at once, so it is handled here.</summary>
    private void ReceiveAvailable(long now)
    {
        var memory = _core.ReadDemand == ReadDemand.None ? Memory<byte>.Empty : _core.GetReceiveMemory(now);
        if (memory.IsEmpty)
        {
            Drive(now);
            return;
        }

        _receiving = true;
        if (_receiver.StartReceive(_socket, memory))
        {
            return;
        }

        _receiving = false;
        if (_receiver.SocketError != SocketError.Success)
        {
            OnReceive(new ReceiveFailed(new SocketException((int)_receiver.SocketError)));
            return;
        }

        _metrics?.BytesReceived(_receiver.BytesTransferred);
        Received(_receiver.BytesTransferred, now);
        Drive(now);
    }

    /// <summary>
    /// The actor's one step after every message: send what the core has ready, act on its state,
    /// arm the deadline check, read what it asks for.
    /// </summary>
    private void Drive(long now)
    {
        while (!_sending && _core.State < ConnectionState.Lingering)
        {
            if (!_flushing && _core.ShouldBatchLater)
            {
                // A trip through the mailbox lets the answers already queued there join one send.
                if (!_flushScheduled)
                {
                    _flushScheduled = true;
                    Self.Tell(FlushOutput.Instance);
                }

                break;
            }

            var output = _core.TakeOutput(now);
            if (output.IsEmpty)
            {
                break;
            }

            SendRest(output, now);
        }

        switch (_core.State)
        {
            case ConnectionState.Closed:
                if (_core.ResetOnClose)
                {
                    // A reset, not a close: a close would leave the kernel holding the unsent answers,
                    // retrying them for minutes, for a client that does not read.
                    _socket.LingerState = new LingerOption(true, 0);
                }

                Context.Stop(Self);
                return;
            case ConnectionState.Lingering when !_halfClosed:
                _halfClosed = true;
                try
                {
                    _socket.Shutdown(SocketShutdown.Send);
                }
                catch (SocketException)
                {
                    Context.Stop(Self);
                    return;
                }

                break;
        }

        PublishReclaimable();
        if (!_flushScheduled)
        {
            // With a flush on its way this runs again in a moment: the deadlines (a walk over every
            // request in flight) are worked out once per batch of answers, not once per answer.
            ScheduleCheck(now);
        }

        StartReading(now);
    }

    /// <summary>Sends <paramref name="bytes"/>; a send that completes at once (the usual case: the kernel's buffer has room) is handled here, saving a trip through the mailbox.</summary>
    private void SendRest(ReadOnlyMemory<byte> bytes, long now)
    {
        while (!bytes.IsEmpty)
        {
            var sender = _sender ??= SendOperations.Rent(Self);
            if (sender.StartSend(_socket, bytes))
            {
                _sending = true;
                _core.SendStalled(bytes.Length, now);
                return;
            }

            if (sender.SocketError != SocketError.Success)
            {
                _log.Debug("Connection {ConnectionId}: send failed: {Error}", _connectionId, sender.SocketError);
                _sending = false;
                Context.Stop(Self);
                return;
            }

            _metrics?.BytesSent(sender.BytesTransferred);
            bytes = _core.Sent(sender.BytesTransferred, now);
        }

        _sending = false;
        if (_sender is not null)
        {
            SendOperations.Return(_sender);
            _sender = null;
        }
    }

    private void StartReading(long now)
    {
        if (_receiving)
        {
            return;
        }

        switch (_core.ReadDemand)
        {
            case ReadDemand.WaitForData:
                // Between requests: wait for bytes without holding a buffer.
                _receiving = true;
                _awaitingData = true;
                _receiver.Receive(_socket, Memory<byte>.Empty);
                break;
            case ReadDemand.Receive:
                var memory = _core.GetReceiveMemory(now);
                if (memory.IsEmpty)
                {
                    // The head in progress can never fit: the core refused it; send that.
                    Drive(now);
                    return;
                }

                _receiving = true;
                _receiver.Receive(_socket, memory);
                break;
        }
    }

    /// <summary>Makes sure a deadline check is due no later than the core's next deadline.</summary>
    private void ScheduleCheck(long now)
    {
        var due = _core.NextDeadline;
        if (due == long.MaxValue || (_checkDue != 0 && due >= _checkDue))
        {
            return;
        }

        _checkDue = Math.Min(due, now + _shortestTicks);
        var delay = Stopwatch.GetElapsedTime(now, _checkDue);
#pragma warning disable AK1004 // Cancelled in PostStop through _scheduled; IWithTimers would cost each idle connection a timer table.
        Context.System.Scheduler.ScheduleTellOnce(delay > TimeSpan.Zero ? delay : TimeSpan.FromMilliseconds(1), Self, DeadlineCheck.Instance, ActorRefs.NoSender, _scheduled);
#pragma warning restore AK1004
    }

    /// <summary>
    /// Tells the listener (through the shared slot, written only when it changes) whether this
    /// connection may be reclaimed: while idle between requests, since when; while lingering after
    /// its last answer, first of all (it has nothing left to give its client).
    /// </summary>
    private void PublishReclaimable()
    {
        var since = _core.State == ConnectionState.Lingering ? ConnectionSlot.ReclaimFirst
            : _core.IsIdleBetweenRequests ? _core.IdleSince : 0;
        if (since != _publishedIdleSince)
        {
            _publishedIdleSince = since;
            _slot.IdleSince = since;
        }
    }

    void IConnectionHost.OnRequest(HttpRequest request, long sequence, long answerDue)
    {
        if (_observability is null)
        {
            _router.Tell(new HandleRequest(request, sequence, Self, _slot.Client, AnswerDue: answerDue), Self);
            return;
        }

        var settings = _observability.Settings;
        var client = settings.TrustedProxies.IsEmpty ? _slot.Client : settings.TrustedProxies.ClientOf(_slot.Client, request.Headers[TrustedProxies.ForwardedForHeader]);
        var requestId = settings.RequestIds ? RequestIds.For(request.Headers[RequestIds.HeaderName]) : null;
        var methodTag = ServerMetrics.MethodTag(request.Method);
        var trace = ServerTracing.StartRequest(methodTag, request.Path, request.Headers[ServerTracing.TraceParentHeader], request.Headers[ServerTracing.TraceStateHeader], client, _observability.TraceSampler);
        var metered = _metrics!.RequestsObserved;
        if (requestId is null && trace.IsNone && !metered)
        {
            // Nothing to keep for this request: it travels as it does with observability off.
            _router.Tell(new HandleRequest(request, sequence, Self, client, AnswerDue: answerDue), Self);
            return;
        }

        var counted = metered && _metrics.RequestStarted(methodTag);
        if (trace.Activity is { IsAllDataRequested: true } activity)
        {
            // An unrecorded activity's tags go nowhere; they would only cost a list entry.
            activity.SetTag("http.request.id", requestId);
        }

        _observed!.Add(sequence, methodTag, metered, counted, requestId, trace, client);
        _router.Tell(new HandleRequest(request, sequence, Self, client, Telemetry: new RequestTelemetry(requestId, trace.Context), AnswerDue: answerDue), Self);
    }

    void IConnectionHost.OnRequestBodyPiece(object reader, long sequence, ReadOnlyMemory<byte> data) =>
        ((IActorRef)reader).Tell(new RequestBodyChunk(sequence, data), Self);

    void IConnectionHost.OnRequestBodyEnd(object reader, long sequence, HttpHeaders trailers) =>
        ((IActorRef)reader).Tell(new RequestBodyEnd(sequence, trailers), Self);

    void IConnectionHost.OnRequestBodyAborted(object reader, long sequence, string reason) =>
        ((IActorRef)reader).Tell(new RequestBodyAborted(sequence, reason), Self);

    // A pump is continued through the mailbox: this is called from inside the core, which must not be re-entered.
    void IConnectionHost.OnResponseChunksSent(object streamer, long sequence)
    {
        if (streamer is ResponseStreamPump pump)
        {
            Self.Tell(new ContinueResponseStream(pump));
        }
        else
        {
            ((IActorRef)streamer).Tell(new ResponseBodyChunkSent(sequence), Self);
        }
    }

    void IConnectionHost.OnResponseAborted(object streamer, long sequence)
    {
        if (streamer is ResponseStreamPump pump)
        {
            pump.Abort();
        }
        else
        {
            ((IActorRef)streamer).Tell(new ResponseAborted(sequence), Self);
        }
    }

    /// <summary>Hands the answered request to the access log: field reads and one enqueue; the formatting happens on the log's own thread.</summary>
    void IConnectionHost.OnAnswered(in AnsweredRequest answered)
    {
        if (_observability is null)
        {
            _accessLog?.TryAdd(AccessLogEntry.Of(_connectionId, _slot.Client, answered));
            return;
        }

        if (_observed!.Take(answered.Sequence) is not { } observed)
        {
            // No request of this number was handed on: the core refused one (or the connection) itself.
            if (_refusal is null)
            {
                _metrics!.RequestRefused(answered.StatusCode);
            }

            _accessLog?.TryAdd(AccessLogEntry.Of(_connectionId, _slot.Client, answered));
            return;
        }

        if (observed.Metered)
        {
            _metrics!.RequestEnded(observed.MethodTag, observed.Counted, answered.StatusCode, observed.Route, answered.StartTimestamp, answered.EndTimestamp);
        }

        if (observed.Trace.Activity is { } activity)
        {
            ServerTracing.EndRequest(activity, observed.MethodTag, observed.Route, answered.StatusCode);
        }

        if (_accessLog is not null && !_observability.IsUnlogged(observed.Route))
        {
            // The trace id as text only for a line that is written (it is a string per request).
            var traceId = observed.Trace.IsNone ? null : observed.Trace.Context.TraceId.ToHexString();
            _accessLog.TryAdd(AccessLogEntry.Of(_connectionId, observed.Client, answered) with { RequestId = observed.RequestId, TraceId = traceId });
        }

        _observed.Return(observed);
    }

    /// <summary>
    /// A handler's answer whose body is a <see cref="HttpResponse.BodyStream"/> (a stream, a pipe, an
    /// async sequence): this connection reads it the way the other models do, with the same
    /// <see cref="ResponseStreamPump"/>, one piece at a time and the next only once the last has been
    /// sent, so the source is read at the client's pace; the pump disposes it at the end, or when the
    /// answer is abandoned (the client went away).
    /// </summary>
    private void PumpBody(long sequence, HttpResponse response, Stream body, long now)
    {
        var pump = new ResponseStreamPump(sequence, body, response.StreamLength);
        if (_core.Respond(sequence, response, now, pump))
        {
            ReadNextPiece(pump);
        }
        else
        {
            pump.Abort();
        }
    }

    /// <summary>Reads the pump's next piece off the actor's thread unless it is at hand; the result comes back as <see cref="ResponsePieceRead"/>.</summary>
    private void ReadNextPiece(ResponseStreamPump pump)
    {
        if (!pump.BeginRead())
        {
            return;
        }

        ValueTask<int> reading;
        try
        {
            reading = pump.ReadAsync(CancellationToken.None);
        }
        catch (Exception error)
        {
            reading = ValueTask.FromException<int>(error);
        }

        if (reading.IsCompletedSuccessfully)
        {
            if (pump.EndRead())
            {
                OnPieceRead(new ResponsePieceRead(pump, reading.Result, null), Stopwatch.GetTimestamp());
            }

            return;
        }

        var self = Self;
        _ = AwaitPiece();

        async Task AwaitPiece()
        {
            var count = 0;
            Exception? failure = null;
            try
            {
                count = await reading.ConfigureAwait(false);
            }
            catch (Exception error)
            {
                failure = error;
            }

            // Settled here, off the actor: an answer abandoned meanwhile has its source disposed now,
            // even if this connection has stopped and the message below is never read.
            if (pump.EndRead())
            {
                self.Tell(new ResponsePieceRead(pump, count, failure));
            }
        }
    }

    private void OnPieceRead(ResponsePieceRead read, long now)
    {
        if (read.Failure is null)
        {
            read.Pump.Deliver(_core, read.Count, now);
            return;
        }

        // Cut short, so the client sees a truncated answer rather than a falsely complete one.
        _log.Warning("Connection {ConnectionId}: reading the body of answer {Sequence} failed: {Error}", _connectionId, read.Pump.Sequence, read.Failure);
        read.Pump.Abort();
        _core.AbortResponse(read.Pump.Sequence);
    }

    private void WatchForClientGone(long sequence, IActorRef handler)
    {
        if (_clientGoneReason is not null)
        {
            handler.Tell(new ClientGone(sequence, _clientGoneReason), Self);
            return;
        }

        _clientWatchers ??= [];
        _clientWatchers[sequence] = handler;

        // In-flight requests are at most pipelining-limit consecutive numbers: a watcher older than
        // that belongs to a request the connection answered itself (a handler-timeout 503).
        if (_clientWatchers.Count > _pipeliningLimit)
        {
            foreach (var stale in _clientWatchers.Keys.Where(s => s <= sequence - _pipeliningLimit).ToArray())
            {
                _clientWatchers.Remove(stale);
            }
        }
    }

    private void TellClientGone(string reason)
    {
        if (_clientWatchers is null)
        {
            return;
        }

        foreach (var (sequence, handler) in _clientWatchers)
        {
            handler.Tell(new ClientGone(sequence, reason), Self);
        }

        _clientWatchers.Clear();
    }

    private static long StopwatchTicks(TimeSpan duration) => (long)(duration.TotalSeconds * Stopwatch.Frequency);
}
