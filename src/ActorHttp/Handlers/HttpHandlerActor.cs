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
/// If handling throws, the route's supervisor restarts the actor; before the restart (or the stop,
/// after a crash storm) this base answers 500 for the request that failed, so the connection and
/// every other request carry on.
/// </remarks>
public abstract class HttpHandlerActor : UntypedActor
{
    private RequestContext? _inFlight;

    protected ILoggingAdapter Log { get; } = Context.GetLogger();

    protected abstract void OnRequest(RequestContext context);

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
                OnRequest(_inFlight);
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

    protected override void PreRestart(Exception reason, object message)
    {
        AnswerFailedRequest(reason);
        base.PreRestart(reason, message);
    }

    protected override void PostStop() => AnswerFailedRequest(null);

    private void AnswerFailedRequest(Exception? reason)
    {
        if (_inFlight is not { } failed)
        {
            return;
        }

        _inFlight = null;
        Log.Error(reason, "Handler failed on {Method} {Target}; answering 500", failed.Request.Method, failed.Request.Target);
        failed.Respond(HttpResponse.Text(500, "The server failed while handling this request.\n"));
    }

    private sealed record AsyncWorkFailed(RequestContext Context, Exception Error);
}

/// <summary>Wraps the error of a handler's async work so supervision sees it like a synchronous crash.</summary>
public sealed class HandlerFailedException(string message, Exception inner) : Exception(message, inner);
