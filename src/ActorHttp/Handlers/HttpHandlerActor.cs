using ActorHttp.Actors;
using ActorHttp.Protocol;
using Akka.Actor;
using Akka.Event;

namespace ActorHttp.Handlers;

/// <summary>
/// The base of every handler, built in or written by users: override <see cref="OnRequest"/> and
/// answer through the <see cref="RequestContext"/>. A handler is an ordinary actor: it may keep
/// state, schedule messages to itself (override <see cref="OnMessage"/> for those), and do async
/// work with <c>RespondAsync</c> (given a task, or work that takes a cancellation token), never blocking its thread.
/// </summary>
/// <remarks>
/// If handling throws, the route's supervisor restarts the actor: a new instance, built by the
/// constructor again, so every field starts over. Before the restart this base logs the crash (once,
/// with its stack) and answers 500 for the request that failed, and for every request whose streamed
/// body this instance was still reading (their state dies with it), so the connection and every
/// other request carry on.
/// </remarks>
public abstract class HttpHandlerActor : UntypedActor
{
    private readonly Dictionary<(IActorRef Connection, long Sequence), RequestContext> _bodyReads = [];

    // The cancellation of each request whose async work (RespondAsync with a token) is under way.
    private readonly Dictionary<(IActorRef Connection, long Sequence), CancellationTokenSource> _cancellations = [];
    private RequestContext? _inFlight;

    private readonly RequestScopedLogging _log = new(Context.GetLogger());

    /// <summary>
    /// The handler's log (Akka's, reaching the server's Serilog logger through the logger-factory
    /// bridge): while it handles a request, each line carries the structured properties
    /// <c>RequestId</c> (its <c>X-Request-Id</c>) and <c>TraceId</c> (when traced). Async work that
    /// logs after this handler has moved on takes the adapter with it (<c>var log = Log;</c> in
    /// <see cref="OnRequest"/>): that one keeps naming its request.
    /// </summary>
    protected ILoggingAdapter Log => _log.Current;

    /// <summary>Handles one request: answer it exactly once through <paramref name="context"/>, now or later (never block).</summary>
    protected abstract void OnRequest(RequestContext context);

    /// <summary>A piece of the streamed body of <paramref name="context"/>'s request; ask for the next with <see cref="RequestContext.ReadBody"/>.</summary>
    protected virtual void OnRequestBody(RequestContext context, ReadOnlyMemory<byte> data) =>
        throw new NotSupportedException($"{GetType().Name} reads streamed bodies but does not override OnRequestBody");

    /// <summary>The streamed body of <paramref name="context"/>'s request is complete: time to answer.</summary>
    protected virtual void OnRequestBodyEnd(RequestContext context, HttpHeaders trailers) =>
        throw new NotSupportedException($"{GetType().Name} reads streamed bodies but does not override OnRequestBodyEnd");

    /// <summary>
    /// The streamed body of <paramref name="context"/>'s request will never be complete; the
    /// connection has answered or closed already, so only clean up (partial files and the like).
    /// </summary>
    protected virtual void OnRequestBodyAborted(RequestContext context, string reason)
    {
    }

    /// <summary>Messages other than requests (timers, replies from other actors). Unhandled by default.</summary>
    protected virtual void OnMessage(object message) => Unhandled(message);

    /// <summary>
    /// Answers with the result of async work. The task's continuation never touches the actor; a
    /// faulted task comes back as a message and fails this handler like a synchronous throw would.
    /// </summary>
    protected void RespondAsync(RequestContext context, Task<HttpResponse> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var self = Self;
        _ = AnswerWhenDone();

        async Task AnswerWhenDone()
        {
            try
            {
                context.Respond(await work.ConfigureAwait(false));
            }
            catch (Exception error)
            {
                self.Tell(new AsyncWorkFailed(context, error));
            }
        }
    }

    /// <summary>
    /// Answers with the result of async work that is given a <see cref="CancellationToken"/>: it fires
    /// when the client goes away (closes or breaks the connection) or when the connection stops waiting
    /// for the answer (<c>handler-timeout</c>, which the client gets a 503 for). Work that then ends in
    /// <see cref="OperationCanceledException"/> is not a crash: it is logged at debug and answered 503
    /// (an answer nobody is likely to read). Any other failure crashes this handler like a synchronous
    /// throw: 500, and a restart.
    /// </summary>
    protected void RespondAsync(RequestContext context, Func<CancellationToken, Task<HttpResponse>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var cancellation = new CancellationTokenSource();
        if (context.TimeLeft is { } timeLeft)
        {
            cancellation.CancelAfter(timeLeft > TimeSpan.Zero ? timeLeft : TimeSpan.Zero);
        }

        var key = context.StreamKey;
        _cancellations[key] = cancellation;
        key.Connection.Tell(new WatchClient(key.Sequence), Self);

        Task<HttpResponse> task;
        try
        {
            task = work(cancellation.Token);
        }
        catch
        {
            // A synchronous throw is this handler's crash, now; nothing is under way to cancel.
            _cancellations.Remove(key);
            cancellation.Dispose();
            throw;
        }

        var self = Self;
        _ = AnswerWhenDone();

        async Task AnswerWhenDone()
        {
            Exception? failure = null;
            try
            {
                context.Respond(await task.ConfigureAwait(false));
            }
            catch (Exception error)
            {
                failure = error;
            }

            self.Tell(new CancellableWorkEnded(context, failure));
        }
    }

    /// <summary>Dispatches the connection's messages to <see cref="OnRequest"/> and the body callbacks, anything else to <see cref="OnMessage"/>.</summary>
    protected sealed override void OnReceive(object message)
    {
        switch (message)
        {
            case HandleRequest request:
                _inFlight = new RequestContext(request);
                if (request.Request.BodyStreamed)
                {
                    _bodyReads[(request.Connection, request.Sequence)] = _inFlight;
                }

                _log.WorkOn(request.Telemetry);
                OnRequest(_inFlight);
                break;
            case RequestBodyChunk chunk:
                if (_bodyReads.TryGetValue((Sender, chunk.Sequence), out _inFlight))
                {
                    _log.WorkOn(_inFlight.Message.Telemetry);
                    OnRequestBody(_inFlight, chunk.Data);
                }

                break;
            case RequestBodyEnd end:
                if (_bodyReads.Remove((Sender, end.Sequence), out _inFlight))
                {
                    _log.WorkOn(_inFlight.Message.Telemetry);
                    OnRequestBodyEnd(_inFlight, end.Trailers);
                }

                break;
            case RequestBodyAborted aborted:
                // Answered by the connection already: nothing is left to answer if cleaning up fails.
                if (_bodyReads.Remove((Sender, aborted.Sequence), out var abandoned))
                {
                    _log.WorkOn(abandoned.Message.Telemetry);
                    OnRequestBodyAborted(abandoned, aborted.Reason);
                }

                break;
            case Cluster.StopEntity:
                // A sharded entity passivating or handed over: its requests so far are answered.
                Context.Stop(Self);
                break;
            case AsyncWorkFailed failed:
                _inFlight = failed.Context;
                _log.WorkOn(failed.Context.Message.Telemetry);
                throw new HandlerFailedException("Async work of a handler failed", failed.Error);
            case ClientGone gone:
                if (_cancellations.TryGetValue((Sender, gone.Sequence), out var cancellation))
                {
                    Log.Debug("The client of request {Sequence} went away ({Reason}); cancelling its work", gone.Sequence, gone.Reason);
                    // CancelAsync: the token's callbacks (the work's continuations) run off this actor's thread.
                    _ = cancellation.CancelAsync();
                }

                break;
            case CancellableWorkEnded ended:
                OnCancellableWorkEnded(ended);
                break;
            default:
                OnMessage(message);
                break;
        }

        _inFlight = null;
        _log.WorkOn(null);
    }

    private void OnCancellableWorkEnded(CancellableWorkEnded ended)
    {
        var context = ended.Context;
        _log.WorkOn(context.Message.Telemetry);
        // Unknown after a restart: the instance that started the work crashed on another request.
        var cancelled = false;
        if (_cancellations.Remove(context.StreamKey, out var cancellation))
        {
            cancelled = cancellation.IsCancellationRequested;
            cancellation.Dispose();
        }

        switch (ended.Failure)
        {
            case null:
                return;
            case OperationCanceledException when cancelled:
                Log.Debug("The work for {Method} {Target} was cancelled: its client went away or its deadline passed", context.Request.Method, context.Request.Target);
                context.Respond(HttpResponse.Text(503, "The request was cancelled before it was answered.\n"));
                return;
            default:
                _inFlight = context;
                throw new HandlerFailedException("Async work of a handler failed", ended.Failure);
        }
    }

    /// <summary>Logs the crash once and answers 500 for the request that failed, before the restart.</summary>
    // The supervisor's strategy does not log failures, so this is the crash's one log line.
    protected override void PreRestart(Exception reason, object message)
    {
        if (_inFlight is null)
        {
            Log.Error(reason, "Handler failed on {MessageType}; restarting it", message?.GetType().Name);
        }

        AnswerFailedRequest(reason);
        base.PreRestart(reason, message);
    }

    /// <summary>A handler stopped mid-request still answers it (500), so no client waits for nothing.</summary>
    protected override void PostStop() => AnswerFailedRequest(null);

    private void AnswerFailedRequest(Exception? reason)
    {
        if (_inFlight is { } failed)
        {
            _inFlight = null;
            _log.WorkOn(failed.Message.Telemetry);
            _bodyReads.Remove(failed.StreamKey);
            Log.Error(reason, "Handler failed on {Method} {Target}; answering 500", failed.Request.Method, failed.Request.Target);
            failed.Respond(HttpResponse.Text(500, "The server failed while handling this request.\n"));
        }

        foreach (var orphan in _bodyReads.Values)
        {
            orphan.Respond(HttpResponse.Text(500, "The server failed while reading this request's body.\n"));
        }

        _bodyReads.Clear();
    }

    private sealed record AsyncWorkFailed(RequestContext Context, Exception Error);

    /// <summary>Work started with a token ended (answered, when <paramref name="Failure"/> is null): its cancellation can go.</summary>
    private sealed record CancellableWorkEnded(RequestContext Context, Exception? Failure);
}

/// <summary>Wraps the error of a handler's async work so supervision sees it like a synchronous crash.</summary>
public sealed class HandlerFailedException(string message, Exception inner) : Exception(message, inner);
