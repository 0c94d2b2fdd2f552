using System.Buffers;
using System.Diagnostics;
using IPEndPoint = System.Net.IPEndPoint;
using System.Net.Sockets;
using ActorHttp.Hosting;
using ActorHttp.Protocol;
using ActorHttp.Routing;
using Akka.Actor;
using Akka.Event;

namespace ActorHttp.Actors;

/// <summary>
/// Owns one accepted socket for its whole life. It reads (one receive at a time, piped back as a
/// message), parses every complete request in its buffer, sends each to the router tagged with a
/// sequence number, and writes the answers strictly in request order, batching whatever is ready
/// into one send. It also holds the connection's timers: idle, header deadline, handler deadlines.
/// </summary>
/// <remarks>
/// Backpressure is by not reading: no receive is started while <c>pipelining-limit</c> requests
/// are in flight, or after the connection has decided to close, so TCP pushes back on the client.
/// </remarks>
public sealed class ConnectionActor : UntypedActor
{
    // Bigger than any head the limits allow, plus one read: the parser refuses a head before this.
    private readonly int _maxBufferSize;
    private readonly Socket _socket;
    private readonly long _connectionId;
    private readonly ServerSettings _settings;
    private readonly IActorRef _router;
    private readonly HttpResponse? _refusal;
    private readonly ConnectionSlot _slot;
    private readonly AccessLogWriter? _accessLog;
    private readonly HttpRequestParser _parser;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LinkedList<Exchange> _exchanges = new();
    private readonly Stack<LinkedListNode<Exchange>> _spareExchanges = new();
    private readonly List<(IActorRef Streamer, long Sequence)> _acksAfterSend = [];
    private readonly PooledBufferWriter _output = new();
    // Cancels, in PostStop, every check still scheduled (they are never cancelled one by one).
    private readonly Cancelable _scheduled = new(Context.System.Scheduler);
    private SocketOperation _receiver = null!;
    private BodyStream? _bodyStream;
    private readonly long _idleTicks;
    private readonly long _headerTicks;
    private readonly long _handlerTicks;
    private readonly long _shortestTicks;
    private readonly DataRateMeter _bodyRate;
    private readonly DataRateMeter _sendRate;
    private long _ackedWhenSendStalled;
    private long _publishedIdleSince;
    private SocketOperation? _sender;
    private byte[] _buffer;
    private int _bufferStart;
    private int _bufferEnd;
    private long _nextSequence;
    private long _idleSince;
    private long _headStartedAt;
    private long _checkDue;
    private int _sentCount;
    private bool _receiving;
    private bool _awaitingData;
    private bool _sending;
    private bool _stopParsing;
    private bool _closeAfterSend;
    private bool _peerClosed;
    private bool _continueSent;
    private bool _draining;
    private bool _lingering;
    private bool _flushScheduled;
    private bool _flushing;

    public ConnectionActor(Socket socket, long connectionId, ServerSettings settings, IActorRef router, HttpResponse? refusal, StreamedBodyRoutes? streamedBodies, ConnectionSlot? slot, AccessLogWriter? accessLog)
    {
        _accessLog = accessLog;
        _socket = socket;
        _connectionId = connectionId;
        _settings = settings;
        _router = router;
        _refusal = refusal;
        _slot = slot ?? new ConnectionSlot((socket.RemoteEndPoint as IPEndPoint)?.Address);
        _bodyRate = new DataRateMeter(settings.MinRequestBodyRate, Stopwatch.Frequency);
        _sendRate = new DataRateMeter(settings.MinResponseDataRate, Stopwatch.Frequency);
        _parser = new HttpRequestParser(settings.Limits, streamedBodies?.Lookup);
        _maxBufferSize = settings.Limits.MaxRequestLineBytes + settings.Limits.MaxHeaderBytes + 64 * 1024;
        _idleTicks = StopwatchTicks(settings.IdleTimeout);
        _headerTicks = StopwatchTicks(settings.RequestHeaderTimeout);
        _handlerTicks = StopwatchTicks(settings.HandlerTimeout);
        _shortestTicks = Math.Min(_idleTicks, Math.Min(_headerTicks, _handlerTicks));
        _buffer = [];
    }

    /// <param name="refusal">An answer that refuses the connection outright (a connection limit was reached): sent, then the connection closes.</param>
    /// <param name="slot">What the listener may read of this connection (its client, whether it is idle); a private one when null.</param>
    /// <param name="accessLog">Where each answered request is logged; null for no access log.</param>
    public static Props Props(Socket socket, long connectionId, ServerSettings settings, IActorRef router, HttpResponse? refusal = null, StreamedBodyRoutes? streamedBodies = null, ConnectionSlot? slot = null, AccessLogWriter? accessLog = null) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(socket, connectionId, settings, router, refusal, streamedBodies, slot, accessLog));

    protected override void PreStart()
    {
        // Responses are batched by us; Nagle would only add latency to the last segment.
        _socket.NoDelay = true;
        _receiver = new SocketOperation(Self, BytesReceived.Of, static error => new ReceiveFailed(error));
        if (_refusal is not null)
        {
            _stopParsing = true;
            EnqueueServerResponse(_refusal with { Close = true });
        }

        Pump();
    }

    protected override void PostStop()
    {
        _slot.IdleSince = 0;
        _scheduled.Cancel();
        _bodyStream?.Reader?.Tell(new RequestBodyAborted(_bodyStream.Exchange.Sequence, "the connection closed"));
        foreach (var exchange in _exchanges)
        {
            exchange.Streamer?.Tell(new ResponseAborted(exchange.Sequence));
            exchange.Compressor?.Dispose();
        }

        _socket.Dispose();
        // An operation still pending may touch its buffer until the socket's abort lands: never hand
        // such a buffer back to the pool.
        if (!_receiving)
        {
            ReleaseBuffer();
            _receiver.Dispose();
        }

        if (!_sending)
        {
            _output.Release();
            if (_sender is not null)
            {
                SendOperations.Return(_sender);
            }
        }
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case BytesReceived received:
                OnBytesReceived(received.Count);
                break;
            case BytesSent sent:
                OnBytesSent(sent.Count);
                break;
            case ResponseReady ready:
                OnResponse(ready);
                break;
            case ReadRequestBody read:
                OnReadRequestBody(read);
                break;
            case ResponseBodyChunk chunk:
                OnBodyChunk(chunk);
                break;
            case ResponseBodyEnd end:
                OnBodyEnd(end);
                break;
            case ResponseBodyAbort abort when Find(abort.Sequence) is not null:
                _log.Warning("Connection {ConnectionId}: the body of answer {Sequence} failed midway; closing", _connectionId, abort.Sequence);
                Context.Stop(Self);
                break;
            case DeadlineCheck:
                OnDeadlineCheck();
                break;
            case Drain:
                // What the client has already sent is read and answered (the last answer says
                // Connection: close); a connection with nothing pending closes at once.
                _draining = true;
                StopParsingIfDrained();
                Pump();
                break;
            case ReclaimIdle when IsIdleBetweenRequests || _lingering:
                // The listener needs this connection's slot for a new client, and claimed it while
                // the connection was idle between requests; it closes without a word, as nginx closes
                // the keep-alive connections it reclaims (a client may always retry on a fresh one).
                _log.Debug("Connection {ConnectionId}: idle keep-alive connection reclaimed for a new client at max-connections", _connectionId);
                Context.Stop(Self);
                break;
            case ReclaimIdle:
                // Busy again since the listener claimed it: it stays, and the limit is exceeded by
                // one until a connection closes. Closing it now would drop a request in flight.
                break;
            case FlushOutput:
                _flushScheduled = false;
                _flushing = true;
                Pump();
                _flushing = false;
                break;
            case LingerElapsed:
                Context.Stop(Self);
                break;
            case ReceiveFailed failed:
                _log.Debug("Connection {ConnectionId}: receive failed: {Error}", _connectionId, failed.Error.Message);
                _receiving = false;
                Context.Stop(Self);
                break;
            case SendFailed failed:
                _log.Debug("Connection {ConnectionId}: send failed: {Error}", _connectionId, failed.Error.Message);
                _sending = false;
                Context.Stop(Self);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnBytesReceived(int count)
    {
        _receiving = false;
        if (_awaitingData)
        {
            // The zero-byte wait ended: bytes (or the end of input) are waiting to be read.
            _awaitingData = false;
            ReceiveAvailable();
            return;
        }

        if (_lingering)
        {
            // Discard: the connection is closing and only waits for the peer to finish sending.
            _bufferStart = _bufferEnd = 0;
            if (count == 0)
            {
                Context.Stop(Self);
            }
            else
            {
                StartReceive();
            }

            return;
        }

        if (count == 0)
        {
            // The peer closed its sending side: a partial request can never complete, but what is
            // already in flight is still answered before we close.
            _peerClosed = true;
            _stopParsing = true;
            FailBodyStream("the client closed the connection before the body ended", HttpResponse.Text(400, "The request body ended before its announced end.\n"));
            Pump();
            return;
        }

        _bufferEnd += count;
        _idleSince = 0;
        if (_bodyRate.Started)
        {
            _bodyRate.Add(count);
        }

        Pump();
    }

    private void OnBytesSent(int count)
    {
        _sentCount += count;
        if (_sentCount < _output.WrittenCount)
        {
            Send(_output.WrittenMemory[_sentCount..]);
            UpdateTimers();
            return;
        }

        _sending = false;
        _sentCount = 0;
        _sendRate.Reset();
        _output.Release();
        SendOperations.Return(_sender!);
        _sender = null;
        AcknowledgeSentChunks();
        Pump();
    }

    private void OnResponse(ResponseReady ready)
    {
        var exchange = Find(ready.Sequence);
        if (exchange is null || exchange.Response is not null)
        {
            _log.Debug("Connection {ConnectionId}: dropped a late answer to request {Sequence}", _connectionId, ready.Sequence);
            return;
        }

        exchange.Response = ready.Response;
        if (ready.Response.Streamed && !Sender.IsNobody())
        {
            exchange.Streamer = Sender;
        }

        if (_bodyStream?.Exchange == exchange)
        {
            // Answered before its body was read to the end: what is left of the body is never read,
            // so nothing after it can be either (nginx closes the same way).
            _bodyStream.Reader ??= Sender.IsNobody() ? null : Sender;
            FailBodyStream("the request was answered before its body was read", exchange.Response);
        }

        Pump();
    }

    private void OnBodyChunk(ResponseBodyChunk chunk)
    {
        var exchange = Find(chunk.Sequence);
        if (exchange?.Response is { Streamed: true } && !exchange.Ended)
        {
            exchange.Chunks.Enqueue(chunk.Data);
            Pump();
        }
        else if (!Sender.IsNobody())
        {
            Sender.Tell(new ResponseAborted(chunk.Sequence));
        }
    }

    private void OnBodyEnd(ResponseBodyEnd end)
    {
        var exchange = Find(end.Sequence);
        if (exchange?.Response is { Streamed: true })
        {
            exchange.Ended = true;
            Pump();
        }
    }

    private void OnReadRequestBody(ReadRequestBody read)
    {
        if (_bodyStream is not { } stream || stream.Exchange.Sequence != read.Sequence)
        {
            Sender.Tell(new RequestBodyAborted(read.Sequence, "no body is being read for this request"));
            return;
        }

        stream.Reader = Sender;
        stream.Wanted = true;
        Pump();
    }

    /// <summary>
    /// The streamed body being read can never complete: its reader is told, and the request gets
    /// <paramref name="response"/> unless already answered; the connection closes after it.
    /// </summary>
    private void FailBodyStream(string reason, HttpResponse response)
    {
        if (_bodyStream is not { } stream)
        {
            return;
        }

        _bodyStream = null;
        _stopParsing = true;
        stream.Reader?.Tell(new RequestBodyAborted(stream.Exchange.Sequence, reason));
        stream.Exchange.Response ??= response;
        stream.Exchange.CloseAfterAnswer = true;
    }

    /// <summary>
    /// Every deadline of the connection (idle, request head, each handler's answer) is a timestamp;
    /// one scheduled check at a time fires at the earliest of them (<see cref="UpdateTimers"/>). So
    /// the hot path only writes timestamps: no timer is started or cancelled per request, and an
    /// idle connection holds a single registration in the scheduler.
    /// </summary>
    private void OnDeadlineCheck()
    {
        _checkDue = 0;
        if (_lingering)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        if (_sendRate.Started)
        {
            if (_ackedWhenSendStalled >= 0 && TcpProgress.BytesAcknowledged(_socket) is { } acknowledged)
            {
                _sendRate.SetProgress(acknowledged - _ackedWhenSendStalled);
            }

            if (_sendRate.IsTooSlow(now))
            {
                // Nothing can be said to a client that does not read. A reset, not a close: a close
                // would leave the kernel holding the unsent answers, retrying them for minutes.
                _log.Debug("Connection {ConnectionId}: the client reads slower than {Rate} bytes/s; resetting", _connectionId, _settings.MinResponseDataRate.BytesPerSecond);
                _socket.LingerState = new LingerOption(true, 0);
                Context.Stop(Self);
                return;
            }
        }

        if (_bodyRate.IsTooSlow(now))
        {
            _log.Debug("Connection {ConnectionId}: request body slower than {Rate} bytes/s; answering 408", _connectionId, _settings.MinRequestBodyRate.BytesPerSecond);
            var tooSlow = HttpResponse.Text(408, "The request body arrived slower than the server's minimum data rate.\n") with { Close = true };
            _bodyRate.Reset();
            if (_bodyStream is not null)
            {
                FailBodyStream("the client sent the body slower than the minimum data rate", tooSlow);
                Pump();
            }
            else
            {
                RefuseWith(tooSlow);
            }

            return;
        }

        if (_headStartedAt != 0 && now - _headStartedAt >= _headerTicks)
        {
            _log.Debug("Connection {ConnectionId}: request headers not complete within {Timeout}", _connectionId, _settings.RequestHeaderTimeout);
            RefuseWithTimeout();
            return;
        }

        if (_idleSince != 0 && now - _idleSince >= _idleTicks)
        {
            OnIdleTimedOut();
            return;
        }

        foreach (var exchange in _exchanges)
        {
            if (exchange.Response is null && !IsWaitingForBody(exchange) && now - exchange.DeadlineFrom >= _handlerTicks)
            {
                _log.Warning("Connection {ConnectionId}: {Method} {Target} got no answer within {Timeout}; answering 503", _connectionId, exchange.Method, exchange.RequestTarget, _settings.HandlerTimeout);
                var late = HttpResponse.Text(503, $"The handler did not answer within {_settings.HandlerTimeout.TotalMilliseconds} ms.\n");
                if (_bodyStream?.Exchange == exchange)
                {
                    FailBodyStream("the handler did not answer in time", late);
                }

                exchange.Response ??= late;
            }
        }

        Pump();
    }

    /// <summary>The handler asked for more of the body and waits on the client, not the other way round.</summary>
    private bool IsWaitingForBody(Exchange exchange) => _bodyStream is { Wanted: true } stream && stream.Exchange == exchange;

    private void OnIdleTimedOut()
    {
        if (_bodyStream is not null)
        {
            _log.Debug("Connection {ConnectionId}: no body bytes for {Timeout}", _connectionId, _settings.IdleTimeout);
            FailBodyStream("the client sent no body bytes within the idle timeout", HttpResponse.Text(408, "The server timed out waiting for the request body.\n"));
            Pump();
            return;
        }

        if (_parser.HasPartialRequest || _settings.IdleResponse == IdleResponse.RequestTimeout)
        {
            RefuseWithTimeout();
            return;
        }

        _log.Debug("Connection {ConnectionId}: idle for {Timeout}, closing", _connectionId, _settings.IdleTimeout);
        Context.Stop(Self);
    }

    private void RefuseWithTimeout() => RefuseWith(HttpResponse.Text(408, "The server timed out waiting for the request.\n") with { Close = true });

    /// <summary>Answers the request being read with <paramref name="refusal"/> (after the answers before it) and reads nothing more.</summary>
    private void RefuseWith(HttpResponse refusal)
    {
        if (_stopParsing && _closeAfterSend)
        {
            return;
        }

        _stopParsing = true;
        EnqueueServerResponse(refusal);
        Pump();
    }

    /// <summary>
    /// The connection's one step: parse what is buffered, write what is ready, send, close, arm the
    /// timers, read more. Every message ends here, so the rules live in one place.
    /// </summary>
    private void Pump()
    {
        if (_draining)
        {
            StopParsingIfDrained();
        }

        ParseBuffered();
        if (!_sending && ShouldBatchLater())
        {
            if (!_flushScheduled)
            {
                _flushScheduled = true;
                Self.Tell(FlushOutput.Instance);
            }
        }
        else if (!_sending)
        {
            WriteReadyResponses();
            if (_output.WrittenCount > 0)
            {
                _sending = true;
                Send(_output.WrittenMemory);
            }
            else
            {
                AcknowledgeSentChunks();
                if (_closeAfterSend || (_exchanges.Count == 0 && (_peerClosed || _stopParsing)))
                {
                    Close();
                    return;
                }
            }
        }

        UpdateTimers();
        if (!_stopParsing && (_bodyStream is { } stream
                ? stream.Wanted || _bufferStart == _bufferEnd
                : MayReadAnotherRequest))
        {
            StartReceive();
        }
    }

    /// <summary>What the connection asks of the client now: the next piece of a streamed body its handler wants, or another request.</summary>
    private bool AsksForInput => _bodyStream is { } stream ? stream.Wanted : MayReadAnotherRequest;

    /// <summary>
    /// Room for one more pipelined request: fewer than <c>pipelining-limit</c> in flight, and less
    /// than <c>max-response-buffer</c> of answers waiting for the client to read them. A client that
    /// sends requests but does not read the answers therefore holds a bounded amount of memory, and
    /// TCP pushes back on it.
    /// </summary>
    private bool MayReadAnotherRequest =>
        _exchanges.Count < _settings.PipeliningLimit && !(_sending && _output.WrittenCount - _sentCount >= _settings.MaxResponseBuffer);

    /// <summary>
    /// While draining, input the client has already sent (buffered here or waiting in the kernel) is
    /// still read and answered; once none is left, nothing more is read and the connection closes
    /// after its answers. The kernel is asked only while draining.
    /// </summary>
    private void StopParsingIfDrained()
    {
        if (_stopParsing || _bodyStream is not null || _parser.HasPartialRequest || _bufferStart != _bufferEnd)
        {
            return;
        }

        int available;
        try
        {
            available = _peerClosed ? 0 : _socket.Available;
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
            available = 0;
        }

        _stopParsing = available == 0;
    }

    /// <summary>
    /// The kernel could not take a send at once: the client reads slower than the server writes.
    /// Until the output is out, the client must keep to <c>min-response-data-rate</c>, measured by
    /// what it acknowledges (see <see cref="TcpProgress"/>).
    /// </summary>
    private void OnSendStalled(int pendingBytes)
    {
        if (!_settings.MinResponseDataRate.Enabled)
        {
            return;
        }

        if (!_sendRate.Started)
        {
            _sendRate.Start();
            _sendRate.Run(true, Stopwatch.GetTimestamp());
            _ackedWhenSendStalled = TcpProgress.BytesAcknowledged(_socket) ?? -1;
        }

        if (_ackedWhenSendStalled < 0)
        {
            // No count from the kernel: the pending send is credited whole, as Kestrel does, which
            // gives the client the time the rate allows for it.
            _sendRate.Add(pendingBytes);
        }
    }

    private void AcknowledgeSentChunks()
    {
        foreach (var (streamer, sequence) in _acksAfterSend)
        {
            streamer.Tell(new ResponseBodyChunkSent(sequence));
        }

        _acksAfterSend.Clear();
    }

    /// <summary>
    /// True when the next answer is ready but pipelined requests behind it are still unanswered: a
    /// trip through the mailbox lets the answers already queued there join one send.
    /// </summary>
    private bool ShouldBatchLater()
    {
        if (_flushing || _exchanges.First?.Value.Response is null)
        {
            return false;
        }

        foreach (var exchange in _exchanges)
        {
            if (exchange.Response is null)
            {
                return true;
            }
        }

        return false;
    }

    private void ParseBuffered()
    {
        // Requests parsed from one read arrived together: they share one timestamp.
        var now = 0L;
        while (!_stopParsing && AsksForInput)
        {
            var outcome = _parser.Parse(_buffer.AsSpan(_bufferStart, _bufferEnd - _bufferStart), out var consumed);
            var parsedFrom = _bufferStart;
            _bufferStart += consumed;
            switch (outcome)
            {
                case ParseOutcome.NeedMoreData:
                    // Never while a receive is filling the buffer from _bufferEnd on.
                    if (_bufferStart == _bufferEnd && !_receiving)
                    {
                        _bufferStart = _bufferEnd = 0;
                    }

                    return;
                case ParseOutcome.Rejected:
                    var rejection = _parser.Rejection!;
                    _log.Debug("Connection {ConnectionId}: refused a request with {Status}: {Reason}", _connectionId, rejection.StatusCode, rejection.Message);
                    var refusal = HttpResponse.Text(rejection.StatusCode, rejection.Message + "\n") with { Close = true };
                    if (_bodyStream is not null)
                    {
                        FailBodyStream(rejection.Message, refusal);
                    }
                    else
                    {
                        _stopParsing = true;
                        EnqueueServerResponse(refusal);
                    }

                    return;
                case ParseOutcome.HeadComplete:
                    _bodyStream = new BodyStream(Dispatch(_parser.TakeRequest(), Now(ref now)));
                    break;
                case ParseOutcome.BodyData:
                    // Copied out: the receive buffer is reused at once, the handler keeps its piece.
                    var (start, length) = _parser.BodyData;
                    DeliverBody(_bodyStream!, new RequestBodyChunk(_bodyStream!.Exchange.Sequence, _buffer.AsSpan(parsedFrom + start, length).ToArray()));
                    break;
                case ParseOutcome.BodyComplete:
                    var ended = _bodyStream!;
                    _bodyStream = null;
                    _stopParsing = !ended.Exchange.Framing.KeepAlive;
                    DeliverBody(ended, new RequestBodyEnd(ended.Exchange.Sequence, _parser.TakeRequest().Trailers));
                    break;
                default:
                    Dispatch(_parser.TakeRequest(), Now(ref now));
                    break;
            }
        }
    }

    private void DeliverBody(BodyStream stream, object piece)
    {
        stream.Wanted = false;
        stream.Reader!.Tell(piece);
        // The handler has its answer (or next piece) to work on: its deadline runs again from now.
        stream.Exchange.DeadlineFrom = Stopwatch.GetTimestamp();
    }

    private Exchange Dispatch(HttpRequest request, long now)
    {
        // Preflights are the router's; only actual cross-origin requests get the grant here.
        var cors = _settings.Cors.Count > 0 && request.Headers["Origin"] is { } origin
            && request.Headers["Access-Control-Request-Method"] is null
            && CorsPolicy.For(_settings.Cors, request.Path) is { } policy && policy.Allows(origin)
            ? (policy, origin)
            : ((CorsPolicy, string)?)null;
        var exchange = AddExchange().Start(
            now,
            _nextSequence++,
            new ResponseTarget(request.Version, request.Method == "HEAD", request.KeepAlive),
            request.Method,
            request.Target,
            request.Headers["Accept-Encoding"],
            cors,
            // Looked up only for the access log, which is their only reader.
            _accessLog is null ? null : request.Headers["Referer"],
            _accessLog is null ? null : request.Headers["User-Agent"]);
        _continueSent = false;
        if (!request.KeepAlive && !request.BodyStreamed)
        {
            // RFC 9112 §9.6: nothing after a request that asked to close is read.
            _stopParsing = true;
        }

        _router.Tell(new HandleRequest(request, exchange.Sequence, Self, _slot.Client), Self);
        return exchange;
    }

    private void EnqueueServerResponse(HttpResponse response)
    {
        var exchange = AddExchange().Start(Stopwatch.GetTimestamp(), _nextSequence++, new ResponseTarget(HttpVersion.Http11, false, KeepAlive: false), "-", "-", null, null, null, null);
        exchange.Response = response;
    }

    /// <summary>Appends an exchange to the queue, reusing one that has been written out when there is one.</summary>
    private Exchange AddExchange()
    {
        var node = _spareExchanges.Count > 0 ? _spareExchanges.Pop() : new LinkedListNode<Exchange>(new Exchange());
        _exchanges.AddLast(node);
        return node.Value;
    }

    private void WriteReadyResponses()
    {
        // One batch holds at most max-response-buffer (plus the answer that crosses it): the rest
        // waits for the client to take this much first.
        while (_exchanges.First is { } node && _output.WrittenCount < _settings.MaxResponseBuffer)
        {
            var exchange = node.Value;
            if (exchange.Response is null)
            {
                break;
            }

            if (!exchange.HeadWritten)
            {
                WriteHead(exchange, closeAfter: _draining && _stopParsing && node.Next is null);
            }

            if (exchange.Response.Streamed)
            {
                // A length announced by the handler is a promise to the client: what goes past it is
                // cut off (it would be read as the next response), and a body that ends short closes
                // the connection, so the client sees it truncated rather than waits for it or takes
                // it as complete. Kept when compressing too, counted in the handler's bytes.
                var promised = exchange.PromisedLength;
                while (!exchange.Overran && exchange.Chunks.TryDequeue(out var chunk))
                {
                    if (exchange.Streamer is { } streamer)
                    {
                        _acksAfterSend.Add((streamer, exchange.Sequence));
                    }

                    if (exchange.StreamedBytes + chunk.Length > promised)
                    {
                        _log.Error("Connection {ConnectionId}: the answer to {Method} {Target} went past its announced {Length} bytes; cut off, and the connection closes", _connectionId, exchange.Method, exchange.RequestTarget, promised);
                        chunk = chunk[..(int)(promised.Value - exchange.StreamedBytes)];
                        exchange.Overran = true;
                        exchange.CloseAfter = true;
                    }

                    exchange.StreamedBytes += chunk.Length;
                    if (exchange.WritesBody)
                    {
                        WriteBodyPiece(exchange, exchange.Compressor is { } compressor ? compressor.Compress(chunk.Span) : chunk.Span);
                    }
                }

                if (!exchange.Ended && !exchange.Overran)
                {
                    break;
                }

                if (!exchange.Ended)
                {
                    exchange.Streamer?.Tell(new ResponseAborted(exchange.Sequence));
                }

                if (exchange.StreamedBytes < promised)
                {
                    _log.Error("Connection {ConnectionId}: the answer to {Method} {Target} ended after {Bytes} of its announced {Length} bytes; closing", _connectionId, exchange.Method, exchange.RequestTarget, exchange.StreamedBytes, promised);
                    exchange.CloseAfter = true;
                }
                else if (exchange.WritesBody)
                {
                    if (exchange.Compressor is { } compressor)
                    {
                        WriteBodyPiece(exchange, compressor.Finish());
                    }

                    HttpResponseWriter.WriteLastChunk(_output, exchange.Chunked);
                }
            }

            _exchanges.RemoveFirst();
            exchange.Compressor?.Dispose();
            exchange.Compressor = null;
            LogAccess(exchange);
            var closeAfter = exchange.CloseAfter;
            if (_spareExchanges.Count < _settings.PipeliningLimit)
            {
                // Drops its answer now: a spare exchange must not keep a response body alive.
                exchange.Response = null;
                exchange.Streamer = null;
                _spareExchanges.Push(node);
            }

            if (closeAfter)
            {
                _closeAfterSend = true;
                _stopParsing = true;
                foreach (var dropped in _exchanges)
                {
                    dropped.Streamer?.Tell(new ResponseAborted(dropped.Sequence));
                }

                _exchanges.Clear();
                break;
            }
        }

        // A streamed body's handler asks for the body by reading it, once every answer before it is out.
        var bodyWanted = _bodyStream is { Wanted: true } stream && _exchanges.First?.Value == stream.Exchange && !stream.Exchange.HeadWritten;
        if (_parser.ExpectsContinue && !_continueSent && (_exchanges.Count == 0 || bodyWanted) && !_stopParsing)
        {
            // RFC 9110 §10.1.1: the client waits for this before sending the body.
            HttpResponseWriter.WriteContinue(_output);
            _continueSent = true;
        }
    }

    /// <summary>One piece of a streamed body on the wire (as a chunk, unless close-delimited), counted for the log.</summary>
    private void WriteBodyPiece(Exchange exchange, ReadOnlySpan<byte> piece)
    {
        exchange.BodyBytes += piece.Length;
        HttpResponseWriter.WriteChunk(_output, piece, exchange.Chunked);
    }

    private void WriteHead(Exchange exchange, bool closeAfter)
    {
        var handed = exchange.Response!;
        var coding = ContentCoding.Identity;
        var response = handed.Streamed
            ? ResponseCompression.ApplyToStream(handed, exchange.AcceptEncoding, _settings.Compression, out coding)
            : ResponseCompression.Apply(handed, exchange.AcceptEncoding, _settings.Compression);
        if (exchange.CorsPolicy is var (policy, origin))
        {
            // An allowed cross-origin call: the browser lets the page read this answer.
            response = response.WithHeader("Access-Control-Allow-Origin", policy.AllowOriginValue(origin)).WithHeader("Vary", "Origin");
            if (policy.Credentials)
            {
                response = response.WithHeader("Access-Control-Allow-Credentials", "true");
            }
        }

        if ((closeAfter || exchange.CloseAfterAnswer) && !response.Close)
        {
            response = response with { Close = true };
        }

        var outcome = HttpResponseWriter.Write(_output, response, exchange.Framing);
        if (outcome == WriteOutcome.InvalidHeader)
        {
            _log.Error("Connection {ConnectionId}: the answer to {Method} {Target} has a header field with a forbidden character; answering 500", _connectionId, exchange.Method, exchange.RequestTarget);
            response = HttpResponse.Text(500, "The handler produced an invalid header field.\n") with { Close = response.Close };
            outcome = HttpResponseWriter.Write(_output, response, exchange.Framing);
        }

        exchange.Response = response;
        exchange.HeadWritten = true;
        exchange.CloseAfter = outcome == WriteOutcome.Close;
        exchange.Chunked = HttpResponseWriter.UsesChunkedFraming(response, exchange.Framing);
        exchange.WritesBody = HttpResponseWriter.SendsBody(response, exchange.Framing);
        if (!response.Streamed)
        {
            exchange.BodyBytes = exchange.WritesBody ? response.Body.Length : 0;
            return;
        }

        exchange.PromisedLength = exchange.WritesBody ? handed.StreamLength : null;
        if (coding != ContentCoding.Identity && exchange.WritesBody)
        {
            // Encoder state for this one body, made only when its first byte is about to be written.
            exchange.Compressor = new StreamingCompressor(coding, _settings.Compression.Level);
        }
    }

    /// <summary>Hands the answered request to the access log: field reads and one enqueue; the formatting happens on the log's own thread.</summary>
    private void LogAccess(Exchange exchange) =>
        _accessLog?.TryAdd(new AccessLogEntry(
            _connectionId,
            _slot.Client,
            exchange.Method,
            exchange.RequestTarget,
            exchange.Framing.Version,
            exchange.Response!.StatusCode,
            exchange.BodyBytes,
            exchange.Referer,
            exchange.UserAgent,
            exchange.StartTimestamp,
            Stopwatch.GetTimestamp()));

    /// <summary>Brings the deadlines up to date with the connection's state and makes sure a check is due at the earliest.</summary>
    private void UpdateTimers()
    {
        // Read only when a deadline starts or a check is scheduled: this runs after every message,
        // and most of them (a pipelined answer, a completed send) change no deadline.
        var now = 0L;
        var waitingForClient = (_exchanges.Count == 0 && !_sending && !_stopParsing)
            || (_bodyStream is { Wanted: true } && _bufferStart == _bufferEnd && !_stopParsing);
        _idleSince = !waitingForClient ? 0 : _idleSince == 0 ? Now(ref now) : _idleSince;

        // The header deadline runs from the first byte of a request and is not reset by later bytes.
        var headPending = _parser.HasPartialRequest && !_parser.HeadComplete && !_stopParsing;
        _headStartedAt = !headPending ? 0 : _headStartedAt == 0 ? Now(ref now) : _headStartedAt;

        PublishReclaimable();

        // A body being read is timed only while the server asks the client for it: not while the
        // handler is not reading, the pipeline is full or a 100-continue has not been sent yet.
        if (_stopParsing || (_bodyStream is null && !(_parser.HeadComplete && _parser.HasPartialRequest)))
        {
            _bodyRate.Reset();
        }
        else
        {
            if (!_bodyRate.Started)
            {
                _bodyRate.Start();
            }

            var asked = (!_parser.ExpectsContinue || _continueSent)
                && AsksForInput;
            if (asked != _bodyRate.Running)
            {
                _bodyRate.Run(asked, Now(ref now));
            }
        }

        var due = long.MaxValue;
        if (_idleSince != 0)
        {
            due = _idleSince + _idleTicks;
        }

        if (_headStartedAt != 0)
        {
            due = Math.Min(due, _headStartedAt + _headerTicks);
        }

        foreach (var exchange in _exchanges)
        {
            if (exchange.Response is null && !IsWaitingForBody(exchange))
            {
                due = Math.Min(due, exchange.DeadlineFrom + _handlerTicks);
            }
        }

        if (_bodyRate.Running)
        {
            due = Math.Min(due, _bodyRate.DueAt(Now(ref now)));
        }

        if (_sendRate.Running)
        {
            due = Math.Min(due, _sendRate.DueAt(Now(ref now)));
        }

        // A check already due earlier re-reads the timestamps when it fires; only an earlier deadline
        // needs another. Checks are never further apart than the shortest timeout, so a deadline
        // that appears later (a request on an idle connection) is usually covered by the one pending.
        if (due != long.MaxValue && (_checkDue == 0 || due < _checkDue))
        {
            Now(ref now);
            _checkDue = Math.Min(due, now + _shortestTicks);
            var delay = Stopwatch.GetElapsedTime(now, _checkDue);
#pragma warning disable AK1004 // Cancelled in PostStop through _scheduled; IWithTimers would cost each idle connection a timer table.
            Context.System.Scheduler.ScheduleTellOnce(delay > TimeSpan.Zero ? delay : TimeSpan.FromMilliseconds(1), Self, DeadlineCheck.Instance, ActorRefs.NoSender, _scheduled);
#pragma warning restore AK1004
        }
    }

    /// <summary>
    /// Tells the listener (through the shared slot, written only when it changes) whether this
    /// connection may be reclaimed: while idle between requests, since when; while lingering after
    /// its last answer, first of all (it has nothing left to give its client).
    /// </summary>
    private void PublishReclaimable()
    {
        var since = _lingering ? ConnectionSlot.ReclaimFirst : IsIdleBetweenRequests ? _idleSince : 0;
        if (since != _publishedIdleSince)
        {
            _publishedIdleSince = since;
            _slot.IdleSince = since;
        }
    }

    /// <summary>A keep-alive connection between requests: nothing buffered, nothing in flight, nothing to send.</summary>
    private bool IsIdleBetweenRequests =>
        _exchanges.Count == 0 && !_sending && !_stopParsing && _bodyStream is null && !_parser.HasPartialRequest && _bufferStart == _bufferEnd;

    private static long Now(ref long now) => now != 0 ? now : now = Stopwatch.GetTimestamp();

    private static long StopwatchTicks(TimeSpan duration) => (long)(duration.TotalSeconds * Stopwatch.Frequency);

    private void StartReceive()
    {
        if (_receiving || _peerClosed)
        {
            return;
        }

        if (_bufferStart == _bufferEnd && !_parser.HasPartialRequest && !_lingering)
        {
            // Between requests (answered or not): wait for bytes without holding a buffer (Kestrel
            // does the same), so ten thousand idle keep-alive connections do not pin ten thousand
            // receive buffers.
            ReleaseBuffer();
            _receiving = true;
            _awaitingData = true;
            _receiver.Receive(_socket, Memory<byte>.Empty);
            return;
        }

        if (_bufferStart == _bufferEnd)
        {
            _bufferStart = _bufferEnd = 0;
        }

        if (!MakeRoom())
        {
            return;
        }

        _receiving = true;
        _receiver.Receive(_socket, _buffer.AsMemory(_bufferEnd));
    }

    /// <summary>Reads what the zero-byte wait announced; that read completes at once, so it is handled here.</summary>
    private void ReceiveAvailable()
    {
        if (!MakeRoom())
        {
            return;
        }

        _receiving = true;
        if (_receiver.StartReceive(_socket, _buffer.AsMemory(_bufferEnd)))
        {
            return;
        }

        if (_receiver.SocketError == SocketError.Success)
        {
            OnBytesReceived(_receiver.BytesTransferred);
        }
        else
        {
            OnReceive(new ReceiveFailed(new SocketException((int)_receiver.SocketError)));
        }
    }

    private void ReleaseBuffer()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        _bufferStart = _bufferEnd = 0;
    }

    /// <summary>Compacts or grows the buffer so a receive has room; false when the head is impossibly large.</summary>
    private bool MakeRoom()
    {
        if (_buffer.Length == 0)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(_settings.ReceiveBufferSize);
            _bufferStart = _bufferEnd = 0;
            return true;
        }

        if (_bufferEnd < _buffer.Length)
        {
            return true;
        }

        var pending = _bufferEnd - _bufferStart;
        if (_bufferStart > 0)
        {
            Buffer.BlockCopy(_buffer, _bufferStart, _buffer, 0, pending);
        }
        else if (_buffer.Length < _maxBufferSize)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, _maxBufferSize));
            Buffer.BlockCopy(_buffer, 0, bigger, 0, pending);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
        else
        {
            // The parser refuses a head over the limits long before this; reaching it is a bug, and
            // the client still gets a clear answer rather than a hang.
            _stopParsing = true;
            EnqueueServerResponse(HttpResponse.Text(431, "The request head is larger than the server allows.\n") with { Close = true });
            Pump();
            return false;
        }

        _bufferStart = 0;
        _bufferEnd = pending;
        return true;
    }

    private void Send(ReadOnlyMemory<byte> bytes)
    {
        // A send that completes at once (the usual case: the kernel's buffer has room) is handled
        // here, saving a trip through the mailbox per response.
        var sender = _sender ??= SendOperations.Rent(Self);
        if (sender.StartSend(_socket, bytes))
        {
            OnSendStalled(bytes.Length);
            return;
        }

        if (sender.SocketError == SocketError.Success)
        {
            OnBytesSent(sender.BytesTransferred);
        }
        else
        {
            OnReceive(new SendFailed(new SocketException((int)sender.SocketError)));
        }
    }

    /// <summary>
    /// Closes after the last response went out. Unless the peer already closed, half-close and keep
    /// reading for <c>linger-timeout</c>: closing with unread bytes would make the kernel send a reset
    /// that can destroy the response before the client reads it.
    /// </summary>
    private void Close()
    {
        if (_peerClosed || _lingering)
        {
            Context.Stop(Self);
            return;
        }

        _lingering = true;
        PublishReclaimable();
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            Context.Stop(Self);
            return;
        }

#pragma warning disable AK1004 // Cancelled in PostStop through _scheduled.
        Context.System.Scheduler.ScheduleTellOnce(_settings.LingerTimeout, Self, LingerElapsed.Instance, ActorRefs.NoSender, _scheduled);
#pragma warning restore AK1004
        _bufferStart = _bufferEnd = 0;
        StartReceive();
    }

    private Exchange? Find(long sequence)
    {
        foreach (var exchange in _exchanges)
        {
            if (exchange.Sequence == sequence)
            {
                return exchange;
            }
        }

        return null;
    }

    /// <summary>
    /// One request and its answer on this connection, from parse until the last byte is written.
    /// Reused (with its list node) for later requests on the same connection, so a keep-alive
    /// request allocates no bookkeeping of its own.
    /// </summary>
    private sealed class Exchange
    {
        private Queue<ReadOnlyMemory<byte>>? _chunks;

        public long Sequence { get; private set; }
        public ResponseTarget Framing { get; private set; }
        public string Method { get; private set; } = "-";
        public string RequestTarget { get; private set; } = "-";
        public string? AcceptEncoding { get; private set; }
        public string? Referer { get; private set; }
        public string? UserAgent { get; private set; }
        public (CorsPolicy Policy, string Origin)? CorsPolicy { get; private set; }
        public long StartTimestamp { get; private set; }

        /// <summary>Where the handler deadline runs from: the dispatch, or the last piece of a streamed body handed over.</summary>
        public long DeadlineFrom { get; set; }

        /// <summary>The connection closes after this answer, whatever the handler's answer says (its request body was cut short).</summary>
        public bool CloseAfterAnswer { get; set; }
        public HttpResponse? Response { get; set; }

        /// <summary>Who streams this response's body: told when chunks went out, or when the stream is aborted.</summary>
        public IActorRef? Streamer { get; set; }
        public bool HeadWritten { get; set; }
        public bool CloseAfter { get; set; }
        public bool Chunked { get; set; }
        public bool WritesBody { get; set; }
        public bool Ended { get; set; }

        /// <summary>The streamed body reached its announced length with more to come: the rest is dropped.</summary>
        public bool Overran { get; set; }

        /// <summary>The streamed body's length as announced by its handler (Content-Length, unless compressed), kept to.</summary>
        public long? PromisedLength { get; set; }

        /// <summary>Bytes of the streamed body the handler has sent (before compression).</summary>
        public long StreamedBytes { get; set; }

        /// <summary>Bytes of body written on the wire (after compression), for the access log.</summary>
        public long BodyBytes { get; set; }

        /// <summary>Compresses this streamed body's chunks as they are written, when a coding was negotiated.</summary>
        public StreamingCompressor? Compressor { get; set; }
        public Queue<ReadOnlyMemory<byte>> Chunks => _chunks ??= new Queue<ReadOnlyMemory<byte>>();

        /// <summary>Makes this exchange the one of a new request; every field is set, nothing of the last request stays.</summary>
        public Exchange Start(long timestamp, long sequence, ResponseTarget framing, string method, string requestTarget, string? acceptEncoding, (CorsPolicy, string)? cors, string? referer, string? userAgent)
        {
            Referer = referer;
            UserAgent = userAgent;
            Sequence = sequence;
            Framing = framing;
            Method = method;
            RequestTarget = requestTarget;
            AcceptEncoding = acceptEncoding;
            CorsPolicy = cors;
            StartTimestamp = DeadlineFrom = timestamp;
            CloseAfterAnswer = HeadWritten = CloseAfter = Chunked = WritesBody = Ended = Overran = false;
            Response = null;
            Streamer = null;
            PromisedLength = null;
            Compressor = null;
            StreamedBytes = BodyBytes = 0;
            _chunks?.Clear();
            return this;
        }
    }

    /// <summary>The streamed body of the newest request, read on its handler's demand.</summary>
    private sealed class BodyStream(Exchange exchange)
    {
        public Exchange Exchange { get; } = exchange;

        /// <summary>The handler that reads the body; known from its first <see cref="ReadRequestBody"/>.</summary>
        public IActorRef? Reader { get; set; }

        /// <summary>A piece was asked for and not yet delivered: the connection reads from the socket for it.</summary>
        public bool Wanted { get; set; }
    }
}
