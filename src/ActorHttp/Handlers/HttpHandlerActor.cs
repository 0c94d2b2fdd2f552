using ActorHttp.Actors;
using ActorHttp.Protocol;
using Akka.Actor;
using Akka.Event;

namespace ActorHttp.Handlers;

/// <summary>
/// The base of every handler, built in or written by users: override <see cref="OnRequest"/> and
/// answer through the <see cref="RequestContext"/>. A handler is an ordinary actor: it may keep
/// state, schedule messages to itself (override <see cref="OnMessage"/> for those), and do async
/// work with <see cref="RespondAsync"/>, never blocking its thread.
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
    private RequestContext? _inFlight;

    protected ILoggingAdapter Log { get; } = Context.GetLogger();

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

                OnRequest(_inFlight);
                break;
            case RequestBodyChunk chunk:
                if (_bodyReads.TryGetValue((Sender, chunk.Sequence), out _inFlight))
                {
                    OnRequestBody(_inFlight, chunk.Data);
                }

                break;
            case RequestBodyEnd end:
                if (_bodyReads.Remove((Sender, end.Sequence), out _inFlight))
                {
                    OnRequestBodyEnd(_inFlight, end.Trailers);
                }

                break;
            case RequestBodyAborted aborted:
                // Answered by the connection already: nothing is left to answer if cleaning up fails.
                if (_bodyReads.Remove((Sender, aborted.Sequence), out var abandoned))
                {
                    OnRequestBodyAborted(abandoned, aborted.Reason);
                }

                break;
            case Cluster.StopEntity:
                // A sharded entity passivating or handed over: its requests so far are answered.
                Context.Stop(Self);
                break;
            case AsyncWorkFailed failed:
                _inFlight = failed.Context;
                throw new HandlerFailedException("Async work of a handler failed", failed.Error);
            default:
                OnMessage(message);
                break;
        }

        _inFlight = null;
    }

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

    protected override void PostStop() => AnswerFailedRequest(null);

    private void AnswerFailedRequest(Exception? reason)
    {
        if (_inFlight is { } failed)
        {
            _inFlight = null;
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
}

/// <summary>Wraps the error of a handler's async work so supervision sees it like a synchronous crash.</summary>
public sealed class HandlerFailedException(string message, Exception inner) : Exception(message, inner);
