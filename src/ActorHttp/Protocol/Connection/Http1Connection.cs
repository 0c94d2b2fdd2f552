using System.Buffers;
using ActorHttp.Routing;

namespace ActorHttp.Protocol.Connection;

/// <summary>
/// One HTTP/1.1 connection's protocol, with no I/O: bytes and "now" go in; requests, bytes to send,
/// what to read next, when to close and the next deadline come out. It knows no socket, actor,
/// thread or clock, so every concurrency model serves connections with this same code, and each
/// transition is tested by feeding bytes and reading what comes out (as h11's <c>Connection</c>).
/// </summary>
/// <remarks>
/// <para>
/// A host drives it in a loop: after every call (bytes received, an answer, a deadline check, a
/// send completed) it takes the output (<see cref="TakeOutput"/>) and sends it, looks at
/// <see cref="State"/> (close, or half-close and linger), arms a check at <see cref="NextDeadline"/>
/// and reads as <see cref="ReadDemand"/> says. Requests and body pieces come out through
/// <see cref="IConnectionHost"/> during those calls.
/// </para>
/// <para>
/// Requests are numbered in arrival order and answered in that order whatever order their answers
/// come in; ready answers go out in one batch. Backpressure is by not reading: nothing is read while
/// <c>pipelining-limit</c> requests are in flight or <c>max-response-buffer</c> of answers waits for
/// the client, so TCP pushes back on it.
/// </para>
/// </remarks>
public sealed class Http1Connection
{
    private readonly ConnectionSettings _settings;
    private readonly IConnectionHost _host;
    private readonly Serilog.ILogger _log;
    private readonly long _connectionId;
    private readonly HttpRequestParser _parser;
    private readonly LinkedList<Exchange> _exchanges = new();
    private readonly Stack<LinkedListNode<Exchange>> _spareExchanges = new();
    private readonly List<(object Streamer, long Sequence)> _acksAfterSend = [];
    private readonly PooledBufferWriter _output = new();
    private readonly DataRateMeter _bodyRate;
    private readonly DataRateMeter _sendRate;

    // Bigger than any head the limits allow, plus one read: the parser refuses a head before this.
    private readonly int _maxBufferSize;
    private readonly long _idleTicks;
    private readonly long _headerTicks;
    private readonly long _handlerTicks;
    private readonly long _lingerTicks;
    private ConnectionState _state;
    private BodyStream? _bodyStream;
    private byte[] _buffer = [];
    private int _bufferStart;
    private int _bufferEnd;
    private long _nextSequence;
    private long _idleSince;

    // The deadlines are brought up to date lazily: a message changes the state several times (bytes
    // in, a request parsed, an answer written, sent), and computing them once, when the host next
    // asks (NextDeadline, IdleSince) or a deadline or more input needs them, saves that work on every
    // request. _staleSince is the time of the latest change, when the state the deadlines
    // are computed from came to be.
    private long _nextDeadline = long.MaxValue;
    private bool _deadlinesStale;
    private long _staleSince;
    private long _headStartedAt;
    private long _lingerSince;
    private long _ackedWhenSendStalled;
    private int _sentCount;

    // The facts that are not the connection's state but its two sides': whether the client's input
    // has ended, whether a receive or a send is under way (their buffers are then not to be touched),
    // and whether the current request's 100-continue has gone out.
    private bool _inputEnded;
    private bool _receiving;
    private bool _sending;
    private bool _continueSent;

    /// <param name="connectionId">Names the connection in log lines.</param>
    /// <param name="log">Where the connection's notable events go (refusals at debug level, broken answers as errors).</param>
    public Http1Connection(ConnectionSettings settings, IConnectionHost host, long connectionId = 0, Serilog.ILogger? log = null)
    {
        _settings = settings;
        _host = host;
        _connectionId = connectionId;
        _log = log ?? Serilog.Core.Logger.None;
        _parser = new HttpRequestParser(settings.Limits, settings.StreamedBodyLimit);
        _bodyRate = new DataRateMeter(settings.MinRequestBodyRate, settings.TicksPerSecond);
        _sendRate = new DataRateMeter(settings.MinResponseDataRate, settings.TicksPerSecond);
        _maxBufferSize = settings.Limits.MaxRequestLineBytes + settings.Limits.MaxHeaderBytes + 64 * 1024;
        _idleTicks = Ticks(settings.IdleTimeout);
        _headerTicks = Ticks(settings.RequestHeaderTimeout);
        _handlerTicks = Ticks(settings.HandlerTimeout);
        _lingerTicks = Ticks(settings.LingerTimeout);
    }

    public ConnectionState State => _state;

    /// <summary>When the state became <see cref="ConnectionState.Closed"/> because the client stopped reading: close with a reset, not a graceful close (which would leave the kernel retrying the unsent answers for minutes).</summary>
    public bool ResetOnClose { get; private set; }

    /// <summary>The earliest timestamp at which <see cref="CheckDeadlines"/> has something to decide; <see cref="long.MaxValue"/> when none.</summary>
    public long NextDeadline
    {
        get
        {
            RefreshDeadlines();
            return _nextDeadline;
        }
    }

    /// <summary>Since when the connection has waited for its client with nothing in flight; 0 while busy.</summary>
    public long IdleSince
    {
        get
        {
            RefreshDeadlines();
            return _idleSince;
        }
    }

    /// <summary>A keep-alive connection between requests: nothing buffered, nothing in flight, nothing to send. It may be closed to make room for a new client.</summary>
    public bool IsIdleBetweenRequests =>
        _state is ConnectionState.Open or ConnectionState.Draining && _exchanges.Count == 0 && !_sending
        && _bodyStream is null && !_parser.HasPartialRequest && _bufferStart == _bufferEnd;

    /// <summary>What to read from the client now; <see cref="ReadDemand.None"/> while a receive is under way.</summary>
    public ReadDemand ReadDemand
    {
        get
        {
            if (_receiving || _inputEnded || _state == ConnectionState.Closed)
            {
                return ReadDemand.None;
            }

            if (_state == ConnectionState.Lingering)
            {
                return ReadDemand.Receive;
            }

            if (IsReadingStopped || !(_bodyStream is { } stream ? stream.Wanted || _bufferStart == _bufferEnd : MayReadAnotherRequest))
            {
                return ReadDemand.None;
            }

            return _bufferStart == _bufferEnd && !_parser.HasPartialRequest ? ReadDemand.WaitForData : ReadDemand.Receive;
        }
    }

    /// <summary>
    /// True when the next answer is ready but pipelined requests behind it are still unanswered: a
    /// host that can cheaply let other work run first (an actor's mailbox) lets their answers join
    /// the same send before it calls <see cref="TakeOutput"/>.
    /// </summary>
    /// <remarks>
    /// The walk starts from the newest request: answers usually come in order, so the newest is the
    /// one still unanswered and each answer costs one look however deep the pipeline.
    /// </remarks>
    public bool ShouldBatchLater
    {
        get
        {
            if (_sending || _exchanges.First?.Value.Response is null)
            {
                return false;
            }

            for (var node = _exchanges.Last; node is not null; node = node.Previous)
            {
                if (node.Value.Response is null)
                {
                    return true;
                }
            }

            return false;
        }
    }

    private bool IsReadingStopped => _state >= ConnectionState.Finishing;

    /// <summary>What the connection asks of the client now: the next piece of a streamed body its handler wants, or another request.</summary>
    private bool AsksForInput => _bodyStream is { } stream ? stream.Wanted : MayReadAnotherRequest;

    /// <summary>
    /// Room for one more pipelined request: fewer than <c>pipelining-limit</c> in flight, and less
    /// than <c>max-response-buffer</c> of answers waiting for the client to read them. A client that
    /// sends requests but does not read the answers therefore holds a bounded amount of memory.
    /// </summary>
    private bool MayReadAnotherRequest =>
        _exchanges.Count < _settings.PipeliningLimit && !(_sending && _output.WrittenCount - _sentCount >= _settings.MaxResponseBuffer);

    /// <summary>
    /// Where to receive the client's next bytes (the connection owns the buffer and grows it up to the
    /// largest head the limits allow); report them with <see cref="Received"/>. Empty when the head
    /// in progress can never fit: the connection has then refused it and the host drives it on.
    /// </summary>
    public Memory<byte> GetReceiveMemory(long now)
    {
        if (_bufferStart == _bufferEnd)
        {
            _bufferStart = _bufferEnd = 0;
        }

        if (!MakeRoom(now))
        {
            return Memory<byte>.Empty;
        }

        _receiving = true;
        return _buffer.AsMemory(_bufferEnd);
    }

    /// <summary>A receive into <see cref="GetReceiveMemory"/> completed with <paramref name="count"/> bytes; 0 is the end of the client's input.</summary>
    public void Received(int count, long now)
    {
        // The body's rate meter below must be in the state the last change left it in.
        RefreshDeadlines();
        _receiving = false;
        if (_state == ConnectionState.Closed)
        {
            return;
        }

        if (_state == ConnectionState.Lingering)
        {
            // Discarded: the connection only waits for the client to finish sending.
            _bufferStart = _bufferEnd = 0;
            if (count == 0)
            {
                _inputEnded = true;
                _state = ConnectionState.Closed;
            }

            DeadlinesChanged(now);
            return;
        }

        if (count == 0)
        {
            // A partial request can never complete, but what is already in flight is still answered.
            _inputEnded = true;
            StopReading();
            FailBodyStream("the client closed the connection before the body ended", HttpResponse.Text(400, "The request body ended before its announced end.\n"));
            Step(now);
            return;
        }

        _bufferEnd += count;
        _idleSince = 0;
        if (_bodyRate.Started)
        {
            _bodyRate.Add(count);
        }

        Step(now);
    }

    /// <summary>
    /// The answer to request <paramref name="sequence"/>. <paramref name="responder"/> is given back
    /// when the pieces of a streamed answer have been sent or will never be, and when the request's
    /// streamed body will never be read to its end. A late or second answer is dropped.
    /// </summary>
    /// <returns>False when no request with that number waits for an answer.</returns>
    public bool Respond(long sequence, HttpResponse response, long now, object? responder = null)
    {
        var exchange = Find(sequence);
        if (exchange is null || exchange.Response is not null)
        {
            _log.Debug("Connection {ConnectionId}: dropped a late answer to request {Sequence}", _connectionId, sequence);
            return false;
        }

        exchange.Response = response;
        exchange.DeadlineFrom = now;
        if (response.Streamed && responder is not null)
        {
            exchange.Streamer = responder;
        }

        if (_bodyStream?.Exchange == exchange)
        {
            // Answered before its body was read to the end: what is left of the body is never read,
            // so nothing after it can be either (nginx closes the same way).
            _bodyStream.Reader ??= responder;
            FailBodyStream("the request was answered before its body was read", exchange.Response);
        }

        Step(now);
        return true;
    }

    /// <summary>A piece of the body of a streamed answer; false when none is expected (the host then tells its producer to stop).</summary>
    public bool RespondChunk(long sequence, ReadOnlyMemory<byte> data, long now)
    {
        var exchange = Find(sequence);
        if (exchange?.Response is not { Streamed: true } || exchange.Ended)
        {
            return false;
        }

        exchange.Chunks.Enqueue(data);
        exchange.DeadlineFrom = now;
        Step(now);
        return true;
    }

    /// <summary>The end of a streamed answer's body.</summary>
    public void RespondEnd(long sequence, long now)
    {
        var exchange = Find(sequence);
        if (exchange?.Response is { Streamed: true })
        {
            exchange.Ended = true;
            Step(now);
        }
    }

    /// <summary>
    /// A streamed answer's source failed midway: the connection closes without the body's proper end,
    /// so the client sees it truncated rather than falsely complete.
    /// </summary>
    /// <returns>True when the connection is now <see cref="ConnectionState.Closed"/>.</returns>
    public bool AbortResponse(long sequence)
    {
        if (Find(sequence) is null)
        {
            return false;
        }

        _log.Warning("Connection {ConnectionId}: the body of answer {Sequence} failed midway; closing", _connectionId, sequence);
        _state = ConnectionState.Closed;
        return true;
    }

    /// <summary>
    /// The handler of request <paramref name="sequence"/> wants the next piece of its streamed body;
    /// exactly one <see cref="IConnectionHost.OnRequestBodyPiece"/>, <see cref="IConnectionHost.OnRequestBodyEnd"/>
    /// or <see cref="IConnectionHost.OnRequestBodyAborted"/> follows for <paramref name="reader"/>.
    /// </summary>
    /// <returns>False when no body is being read for that request (the host tells the reader it is aborted).</returns>
    public bool WantBody(long sequence, object reader, long now)
    {
        if (_bodyStream is not { } stream || stream.Exchange.Sequence != sequence)
        {
            return false;
        }

        stream.Reader = reader;
        stream.Wanted = true;
        Step(now);
        return true;
    }

    /// <summary>
    /// The server is shutting down: what the client has already sent is read and answered, the last
    /// answer saying <c>Connection: close</c>; a connection with nothing pending closes at once.
    /// </summary>
    public void Drain(long now)
    {
        if (_state == ConnectionState.Open)
        {
            _state = ConnectionState.Draining;
        }

        Step(now);
    }

    /// <summary>Refuses the connection outright (a connection limit was reached): <paramref name="refusal"/> is sent, then it closes.</summary>
    public void Refuse(HttpResponse refusal, long now)
    {
        StopReading();
        EnqueueServerResponse(refusal with { Close = true }, now);
        Step(now);
    }

    /// <summary>
    /// Closes the connection to make room for a new client, if it is idle between requests or
    /// lingering after its last answer (it has nothing left to give its client); a busy connection stays.
    /// </summary>
    /// <returns>True when the connection is now <see cref="ConnectionState.Closed"/>.</returns>
    public bool Reclaim()
    {
        if (!IsIdleBetweenRequests && _state != ConnectionState.Lingering)
        {
            return false;
        }

        _log.Debug("Connection {ConnectionId}: idle keep-alive connection reclaimed for a new client at max-connections", _connectionId);
        _state = ConnectionState.Closed;
        return true;
    }

    /// <summary>
    /// Decides what the deadlines due by <paramref name="now"/> mean: 408 for a head or body too slow,
    /// 408 or a silent close for an idle connection, 503 for a handler too slow, a reset for a client
    /// that stopped reading, the end of a lingering close. A check earlier than any deadline does nothing.
    /// </summary>
    public void CheckDeadlines(long now)
    {
        RefreshDeadlines();
        if (_state == ConnectionState.Closed)
        {
            return;
        }

        if (_state == ConnectionState.Lingering)
        {
            if (now - _lingerSince >= _lingerTicks)
            {
                _state = ConnectionState.Closed;
            }

            DeadlinesChanged(now);
            return;
        }

        if (_sendRate.Started)
        {
            if (_ackedWhenSendStalled >= 0 && _host.BytesAcknowledged is { } acknowledged)
            {
                _sendRate.SetProgress(acknowledged - _ackedWhenSendStalled);
            }

            if (_sendRate.IsTooSlow(now))
            {
                _log.Debug("Connection {ConnectionId}: the client reads slower than {Rate} bytes/s; resetting", _connectionId, _settings.MinResponseDataRate.BytesPerSecond);
                ResetOnClose = true;
                _state = ConnectionState.Closed;
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
                Step(now);
            }
            else
            {
                RefuseWith(tooSlow, now);
            }

            return;
        }

        if (_headStartedAt != 0 && now - _headStartedAt >= _headerTicks)
        {
            _log.Debug("Connection {ConnectionId}: request headers not complete within {Timeout}", _connectionId, _settings.RequestHeaderTimeout);
            RefuseWithTimeout(now);
            return;
        }

        if (_idleSince != 0 && now - _idleSince >= _idleTicks)
        {
            OnIdleTimedOut(now);
            return;
        }

        foreach (var exchange in _exchanges)
        {
            if (IsStreamerSilent(exchange) && now - exchange.DeadlineFrom >= _handlerTicks)
            {
                // Its head may be out already, so no 503 can replace it: the connection closes, and
                // the client sees the answer cut short rather than waits for it forever.
                _log.Warning("Connection {ConnectionId}: the streamed answer to {Method} {Target} got no further piece within {Timeout}; closing", _connectionId, exchange.Method, exchange.RequestTarget, _settings.HandlerTimeout);
                _state = ConnectionState.Closed;
                DeadlinesChanged(now);
                return;
            }

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

        Step(now);
    }

    /// <summary>
    /// Writes the answers that are ready, in request order, into one batch and returns it (empty when
    /// nothing is ready or a batch is still being sent). The host sends it and reports with
    /// <see cref="Sent"/>. With nothing left to say on a connection that will read no more, this is
    /// where it moves to <see cref="ConnectionState.Lingering"/> (the host shuts its sending side and
    /// reads on) or, when the client's input has ended already, <see cref="ConnectionState.Closed"/>.
    /// </summary>
    public ReadOnlyMemory<byte> TakeOutput(long now)
    {
        if (_sending || _state >= ConnectionState.Lingering)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        WriteReadyResponses(now);
        if (_output.WrittenCount > 0)
        {
            _sending = true;
            _sentCount = 0;
            DeadlinesChanged(now);
            return _output.WrittenMemory;
        }

        AcknowledgeSentChunks(now);
        if (_state == ConnectionState.ClosingAfterSend || (_exchanges.Count == 0 && (_inputEnded || IsReadingStopped)))
        {
            Close(now);
        }

        DeadlinesChanged(now);
        return ReadOnlyMemory<byte>.Empty;
    }

    /// <summary>
    /// <paramref name="count"/> more bytes of the output taken last went out; returns what is left of
    /// it to send (empty once all of it is out, when the next <see cref="TakeOutput"/> may write more).
    /// </summary>
    public ReadOnlyMemory<byte> Sent(int count, long now)
    {
        _sentCount += count;
        if (_sentCount < _output.WrittenCount)
        {
            DeadlinesChanged(now);
            return _output.WrittenMemory[_sentCount..];
        }

        _sending = false;
        _sentCount = 0;
        _sendRate.Reset();
        _output.Release();
        AcknowledgeSentChunks(now);
        Step(now);
        return ReadOnlyMemory<byte>.Empty;
    }

    /// <summary>
    /// The kernel could not take a send at once (<paramref name="pendingBytes"/> wait): the client
    /// reads slower than the server writes. Until the output is out, the client must keep to
    /// <c>min-response-data-rate</c>, measured by what it acknowledges.
    /// </summary>
    public void SendStalled(int pendingBytes, long now)
    {
        if (!_settings.MinResponseDataRate.Enabled)
        {
            return;
        }

        if (!_sendRate.Started)
        {
            _sendRate.Start();
            _sendRate.Run(true, now);
            _ackedWhenSendStalled = _host.BytesAcknowledged ?? -1;
        }

        if (_ackedWhenSendStalled < 0)
        {
            // No count from the kernel: the pending send is credited whole, as Kestrel does, which
            // gives the client the time the rate allows for it.
            _sendRate.Add(pendingBytes);
        }

        DeadlinesChanged(now);
    }

    /// <summary>
    /// The host has closed the socket (or is about to): every body reader and answer streamer still
    /// waiting is told, and buffers no operation still holds go back to the pool.
    /// </summary>
    public void Release()
    {
        _state = ConnectionState.Closed;
        if (_bodyStream is { Reader: { } reader } stream)
        {
            _host.OnRequestBodyAborted(reader, stream.Exchange.Sequence, "the connection closed");
        }

        _bodyStream = null;
        foreach (var exchange in _exchanges)
        {
            if (exchange.Streamer is { } streamer)
            {
                _host.OnResponseAborted(streamer, exchange.Sequence);
            }

            exchange.Compressor?.Dispose();
        }

        _exchanges.Clear();

        // An operation still under way may touch its buffer until the socket's abort lands: such a
        // buffer is left to the garbage collector, never handed back to the pool.
        if (!_receiving)
        {
            ReleaseBuffer();
        }

        if (!_sending)
        {
            _output.Release();
        }
    }

    /// <summary>The connection's one step after any input: drain check, parse what is buffered, bring the deadlines up to date.</summary>
    private void Step(long now)
    {
        if (_state == ConnectionState.Draining)
        {
            StopReadingIfDrained();
        }

        ParseBuffered(now);
        DeadlinesChanged(now);
    }

    private void StopReading()
    {
        if (_state < ConnectionState.Finishing)
        {
            _state = ConnectionState.Finishing;
        }
    }

    /// <summary>
    /// While draining, input the client has already sent (buffered here or waiting in the kernel) is
    /// still read and answered; once none is left, nothing more is read. The kernel is asked only then.
    /// </summary>
    private void StopReadingIfDrained()
    {
        if (_bodyStream is not null || _parser.HasPartialRequest || _bufferStart != _bufferEnd)
        {
            return;
        }

        if (_inputEnded || _host.BytesWaitingInKernel == 0)
        {
            StopReading();
        }
    }

    /// <summary>
    /// A streamed answer whose producer owes the next piece: nothing of it is queued or being sent, so
    /// the wait is the producer's, and <c>handler-timeout</c> bounds it as it bounds a first answer.
    /// </summary>
    private bool IsStreamerSilent(Exchange exchange) =>
        exchange.Response is { Streamed: true } && !exchange.Ended && exchange.Chunks.Count == 0 && !_sending;

    /// <summary>The handler asked for more of the body and waits on the client, not the other way round.</summary>
    private bool IsWaitingForBody(Exchange exchange) => _bodyStream is { Wanted: true } stream && stream.Exchange == exchange;

    private void OnIdleTimedOut(long now)
    {
        if (_bodyStream is not null)
        {
            _log.Debug("Connection {ConnectionId}: no body bytes for {Timeout}", _connectionId, _settings.IdleTimeout);
            FailBodyStream("the client sent no body bytes within the idle timeout", HttpResponse.Text(408, "The server timed out waiting for the request body.\n"));
            Step(now);
            return;
        }

        if (_parser.HasPartialRequest || _settings.IdleTimeoutAnswers408)
        {
            RefuseWithTimeout(now);
            return;
        }

        _log.Debug("Connection {ConnectionId}: idle for {Timeout}, closing", _connectionId, _settings.IdleTimeout);
        _state = ConnectionState.Closed;
    }

    private void RefuseWithTimeout(long now) => RefuseWith(HttpResponse.Text(408, "The server timed out waiting for the request.\n") with { Close = true }, now);

    /// <summary>Answers the request being read with <paramref name="refusal"/> (after the answers before it) and reads nothing more.</summary>
    private void RefuseWith(HttpResponse refusal, long now)
    {
        if (_state >= ConnectionState.ClosingAfterSend)
        {
            return;
        }

        StopReading();
        EnqueueServerResponse(refusal, now);
        Step(now);
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
        StopReading();
        if (stream.Reader is { } reader)
        {
            _host.OnRequestBodyAborted(reader, stream.Exchange.Sequence, reason);
        }

        stream.Exchange.Response ??= response;
        stream.Exchange.CloseAfterAnswer = true;
    }

    private void ParseBuffered(long now)
    {
        while (!IsReadingStopped && AsksForInput)
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
                        StopReading();
                        EnqueueServerResponse(refusal, now);
                    }

                    return;
                case ParseOutcome.HeadComplete:
                    _bodyStream = new BodyStream(Dispatch(_parser.TakeRequest(), now));
                    break;
                case ParseOutcome.BodyData:
                    // Copied out: the receive buffer is reused at once, the handler keeps its piece.
                    var (start, length) = _parser.BodyData;
                    var piece = _buffer.AsSpan(parsedFrom + start, length).ToArray();
                    var stream = TakeWantedPiece(now);
                    _host.OnRequestBodyPiece(stream.Reader!, stream.Exchange.Sequence, piece);
                    break;
                case ParseOutcome.BodyComplete:
                    var ended = TakeWantedPiece(now);
                    _bodyStream = null;
                    _bodyRate.Reset();
                    if (!ended.Exchange.Framing.KeepAlive)
                    {
                        StopReading();
                    }

                    _host.OnRequestBodyEnd(ended.Reader!, ended.Exchange.Sequence, _parser.TakeRequest().Trailers);
                    break;
                default:
                    Dispatch(_parser.TakeRequest(), now);
                    break;
            }
        }
    }

    /// <summary>The piece the body's reader asked for is being handed over: it asks again for the next, and its handler's deadline runs again from now.</summary>
    private BodyStream TakeWantedPiece(long now)
    {
        var stream = _bodyStream!;
        stream.Wanted = false;
        stream.Exchange.DeadlineFrom = now;
        return stream;
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
            _settings.AccessLog ? request.Headers["Referer"] : null,
            _settings.AccessLog ? request.Headers["User-Agent"] : null);
        _continueSent = false;

        // This head is complete: a next one already begun in the same read is timed from now, not
        // from this one's first byte.
        _headStartedAt = 0;

        // Likewise a next body begun in the same read gets its own grace, not what is left of this one's.
        _bodyRate.Reset();
        if (!request.KeepAlive && !request.BodyStreamed)
        {
            // RFC 9112 §9.6: nothing after a request that asked to close is read.
            StopReading();
        }

        _host.OnRequest(request, exchange.Sequence, now + _handlerTicks);
        return exchange;
    }

    private void EnqueueServerResponse(HttpResponse response, long now)
    {
        var exchange = AddExchange().Start(now, _nextSequence++, new ResponseTarget(HttpVersion.Http11, false, KeepAlive: false), "-", "-", null, null, null, null);
        exchange.Response = response;
    }

    /// <summary>Appends an exchange to the queue, reusing one that has been written out when there is one.</summary>
    private Exchange AddExchange()
    {
        var node = _spareExchanges.Count > 0 ? _spareExchanges.Pop() : new LinkedListNode<Exchange>(new Exchange());
        _exchanges.AddLast(node);
        return node.Value;
    }

    private void WriteReadyResponses(long now)
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
                // The last answer of a connection that reads no more says it closes.
                WriteHead(exchange, closeAfter: IsReadingStopped && node.Next is null);
            }

            if (exchange.Response.Streamed && !WriteStreamedBody(exchange))
            {
                break;
            }

            _exchanges.RemoveFirst();
            exchange.Compressor?.Dispose();
            exchange.Compressor = null;
            ReportAnswered(exchange, now);
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
                _state = ConnectionState.ClosingAfterSend;
                foreach (var dropped in _exchanges)
                {
                    if (dropped.Streamer is { } streamer)
                    {
                        _host.OnResponseAborted(streamer, dropped.Sequence);
                    }
                }

                _exchanges.Clear();
                break;
            }
        }

        // A streamed body's handler asks for the body by reading it, once every answer before it is out.
        var bodyWanted = _bodyStream is { Wanted: true } stream && _exchanges.First?.Value == stream.Exchange && !stream.Exchange.HeadWritten;
        if (_parser.ExpectsContinue && !_continueSent && (_exchanges.Count == 0 || bodyWanted) && !IsReadingStopped)
        {
            // RFC 9110 §10.1.1: the client waits for this before sending the body.
            HttpResponseWriter.WriteContinue(_output);
            _continueSent = true;
        }
    }

    /// <summary>
    /// Writes the pieces of a streamed body handed in so far; true when the body is complete (or cut
    /// off) and the exchange is done, false when more pieces are to come.
    /// </summary>
    /// <remarks>
    /// A length announced by the handler is a promise to the client: what goes past it is cut off (it
    /// would be read as the next response), and a body that ends short closes the connection, so the
    /// client sees it truncated rather than waits for it or takes it as complete. Kept when
    /// compressing too, counted in the handler's bytes.
    /// </remarks>
    private bool WriteStreamedBody(Exchange exchange)
    {
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
            return false;
        }

        if (!exchange.Ended && exchange.Streamer is { } cutOff)
        {
            _host.OnResponseAborted(cutOff, exchange.Sequence);
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

        return true;
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

    private void ReportAnswered(Exchange exchange, long now) =>
        _host.OnAnswered(new AnsweredRequest(
            exchange.Method,
            exchange.RequestTarget,
            exchange.Framing.Version,
            exchange.Response!.StatusCode,
            exchange.BodyBytes,
            exchange.Referer,
            exchange.UserAgent,
            exchange.StartTimestamp,
            now,
            exchange.Sequence));

    private void AcknowledgeSentChunks(long now)
    {
        foreach (var (streamer, sequence) in _acksAfterSend)
        {
            // The streamer has what it waits for to send more: its silence is timed from now.
            if (Find(sequence) is { } exchange)
            {
                exchange.DeadlineFrom = now;
            }

            _host.OnResponseChunksSent(streamer, sequence);
        }

        _acksAfterSend.Clear();
    }

    /// <summary>The state changed at <paramref name="now"/>: the deadlines are out of date until <see cref="RefreshDeadlines"/>, and a receive buffer no longer needed goes back to the pool.</summary>
    private void DeadlinesChanged(long now)
    {
        _deadlinesStale = true;
        _staleSince = now;

        // Between requests (answered or not) no receive buffer is held: ten thousand idle keep-alive
        // connections do not pin ten thousand buffers (Kestrel does the same). A lingering connection
        // keeps its buffer for the bytes it reads and discards.
        if (_state < ConnectionState.Lingering && _bufferStart == _bufferEnd && !_receiving && !_parser.HasPartialRequest)
        {
            ReleaseBuffer();
        }
    }

    /// <summary>Brings the deadlines up to date if a change since the last time left them stale.</summary>
    private void RefreshDeadlines()
    {
        if (_deadlinesStale)
        {
            _deadlinesStale = false;
            UpdateDeadlines(_staleSince);
        }
    }

    /// <summary>
    /// Brings the deadlines up to date with the connection's state: each starts when its state
    /// starts, and <see cref="NextDeadline"/> is the earliest. The hot path only writes timestamps;
    /// how a host waits for the next deadline (one timer, a poll timeout) is its own business.
    /// </summary>
    private void UpdateDeadlines(long now)
    {
        if (_state == ConnectionState.Closed)
        {
            _nextDeadline = long.MaxValue;
            return;
        }

        if (_state == ConnectionState.Lingering)
        {
            _idleSince = 0;
            _nextDeadline = _lingerSince + _lingerTicks;
            return;
        }

        var waitingForClient = (_exchanges.Count == 0 && !_sending && !IsReadingStopped)
            || (_bodyStream is { Wanted: true } && _bufferStart == _bufferEnd && !IsReadingStopped);
        _idleSince = !waitingForClient ? 0 : _idleSince == 0 ? now : _idleSince;

        // The header deadline runs from the first byte of a request and is not reset by later bytes.
        var headPending = _parser.HasPartialRequest && !_parser.HeadComplete && !IsReadingStopped;
        _headStartedAt = !headPending ? 0 : _headStartedAt == 0 ? now : _headStartedAt;

        // A body being read is timed only while the server asks the client for it: not while the
        // handler is not reading, the pipeline is full or a 100-continue has not been sent yet.
        if (IsReadingStopped || (_bodyStream is null && !(_parser.HeadComplete && _parser.HasPartialRequest)))
        {
            _bodyRate.Reset();
        }
        else
        {
            if (!_bodyRate.Started)
            {
                _bodyRate.Start();
            }

            var asked = (!_parser.ExpectsContinue || _continueSent) && AsksForInput;
            if (asked != _bodyRate.Running)
            {
                _bodyRate.Run(asked, now);
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
            if ((exchange.Response is null && !IsWaitingForBody(exchange)) || IsStreamerSilent(exchange))
            {
                due = Math.Min(due, exchange.DeadlineFrom + _handlerTicks);
            }
        }

        if (_bodyRate.Running)
        {
            due = Math.Min(due, _bodyRate.DueAt(now));
        }

        if (_sendRate.Running)
        {
            due = Math.Min(due, _sendRate.DueAt(now));
        }

        _nextDeadline = due;
    }

    /// <summary>
    /// Closes after the last answer went out. Unless the client's input has ended, the connection
    /// lingers: the host shuts its sending side and the connection reads on for <c>linger-timeout</c>,
    /// because closing with unread bytes would make the kernel send a reset that can destroy the
    /// answer before the client reads it.
    /// </summary>
    private void Close(long now)
    {
        if (_inputEnded)
        {
            _state = ConnectionState.Closed;
            return;
        }

        _state = ConnectionState.Lingering;
        _lingerSince = now;
        _bufferStart = _bufferEnd = 0;
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
    private bool MakeRoom(long now)
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
            StopReading();
            EnqueueServerResponse(HttpResponse.Text(431, "The request head is larger than the server allows.\n") with { Close = true }, now);
            return false;
        }

        _bufferStart = 0;
        _bufferEnd = pending;
        return true;
    }

    /// <summary>The exchange of request <paramref name="sequence"/>: the queue holds consecutive numbers, so the walk starts from the nearer end.</summary>
    private Exchange? Find(long sequence)
    {
        if (_exchanges.First is not { } first)
        {
            return null;
        }

        var offset = sequence - first.Value.Sequence;
        if (offset < 0 || offset >= _exchanges.Count)
        {
            return null;
        }

        var node = first;
        if (offset <= _exchanges.Count / 2)
        {
            for (; offset > 0; offset--)
            {
                node = node.Next!;
            }
        }
        else
        {
            node = _exchanges.Last!;
            for (var back = _exchanges.Count - 1 - offset; back > 0; back--)
            {
                node = node.Previous!;
            }
        }

        return node.Value.Sequence == sequence ? node.Value : null;
    }

    private long Ticks(TimeSpan duration) => (long)(duration.TotalSeconds * _settings.TicksPerSecond);

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
        public object? Streamer { get; set; }
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

        /// <summary>The handler that reads the body; known from its first <see cref="WantBody"/>.</summary>
        public object? Reader { get; set; }

        /// <summary>A piece was asked for and not yet delivered: the connection reads for it.</summary>
        public bool Wanted { get; set; }
    }
}
