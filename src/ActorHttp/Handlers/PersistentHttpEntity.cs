using ActorHttp.Actors;
using ActorHttp.Protocol;
using Akka.Event;
using Akka.Persistence;

namespace ActorHttp.Handlers;

/// <summary>
/// The base of an event-sourced handler (Akka.Persistence), such as a sharded route's entity: it
/// answers requests through a <see cref="RequestContext"/> like <see cref="HttpHandlerActor"/>, keeps its
/// state as events in the journal (<c>actorhttp.persistence</c>), and rebuilds it from them when it
/// starts again (after passivation, a crash, or on another node after its node was lost).
/// </summary>
/// <remarks>
/// A change is answered only once its event is stored (<see cref="PersistThenRespond{TEvent}"/>): a
/// client that got its answer will find the change after any restart. A handler that throws answers
/// 500 for the request it failed on, is restarted and recovers its state from the journal. A write
/// the journal fails is answered 503 (nothing was promised) and the entity stops; the next request
/// starts it again.
/// </remarks>
public abstract class PersistentHttpEntity : UntypedPersistentActor
{
    // Persist stashes every other command until its event is stored, so at most one write is pending.
    private RequestContext? _awaitingWrite;
    private RequestContext? _inFlight;
    private RequestScopedLogging? _log;

    /// <summary>
    /// Akka's logging adapter for this entity; while it works on a request (its <see cref="OnRequest"/>,
    /// the answer after a stored event, the 500 of a crash) every line carries the request's
    /// <c>RequestId</c> and <c>TraceId</c> properties, as a <see cref="HttpHandlerActor"/>'s do.
    /// </summary>
    protected new ILoggingAdapter Log => RequestLogging.Current;

    // Made on first use, as Akka makes the entity's own adapter (base.Log).
    private RequestScopedLogging RequestLogging => _log ??= new RequestScopedLogging(base.Log);

    /// <summary>A request for this entity; answer it now, or after storing an event with <see cref="PersistThenRespond{TEvent}"/>.</summary>
    protected abstract void OnRequest(RequestContext context);

    /// <summary>Applies an event to the state: while recovering, and once a new event is stored.</summary>
    protected abstract void ApplyEvent(object @event);

    /// <summary>Restores the state from a snapshot this entity saved (<see cref="Eventsourced.SaveSnapshot"/>).</summary>
    protected virtual void ApplySnapshot(object snapshot) =>
        throw new NotSupportedException($"{GetType().Name} saved a snapshot but does not override ApplySnapshot");

    /// <summary>Messages other than requests (timers, replies from other actors). Unhandled by default.</summary>
    protected virtual void OnMessage(object message) => Unhandled(message);

    /// <summary>
    /// Stores <paramref name="event"/>, then applies it and answers with <paramref name="respond"/>'s
    /// response: the client hears of the change only once it is in the journal.
    /// </summary>
    protected void PersistThenRespond<TEvent>(RequestContext context, TEvent @event, Func<TEvent, HttpResponse> respond)
    {
        _awaitingWrite = context;
        Persist(@event, stored =>
        {
            _awaitingWrite = null;
            _inFlight = context;
            WorkOn(context);
            ApplyEvent(stored!);
            context.Respond(respond(stored));
            _inFlight = null;
            WorkOn(null);
        });
    }

    protected sealed override void OnCommand(object message)
    {
        if (message is HandleRequest request)
        {
            _inFlight = new RequestContext(request);
            WorkOn(_inFlight);
            OnRequest(_inFlight);
            _inFlight = null;
            WorkOn(null);
            return;
        }

        if (message is Cluster.StopEntity)
        {
            // Persist keeps this waiting until the pending write is stored and answered.
            Context.Stop(Self);
            return;
        }

        OnMessage(message);
    }

    protected sealed override void OnRecover(object message)
    {
        switch (message)
        {
            case RecoveryCompleted:
                break;
            case SnapshotOffer offer:
                ApplySnapshot(offer.Snapshot);
                break;
            default:
                ApplyEvent(message);
                break;
        }
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        AnswerPendingWrite(503, "The change could not be stored; it was not applied. Try again.\n");
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        AnswerPendingWrite(500, "The change was refused by the store; it was not applied.\n");
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    protected override void PreRestart(Exception reason, object message)
    {
        if (_inFlight is { } failed)
        {
            _inFlight = null;
            WorkOn(failed);
            Log.Error(reason, "Entity {PersistenceId} failed on {Method} {Target}; answering 500", PersistenceId, failed.Request.Method, failed.Request.Target);
            failed.Respond(HttpResponse.Text(500, "The server failed while handling this request.\n"));
            WorkOn(null);
        }
        else
        {
            Log.Error(reason, "Entity {PersistenceId} failed on {MessageType}; restarting it", PersistenceId, message?.GetType().Name);
        }

        // Its event may or may not be stored: the client is not told it was.
        AnswerPendingWrite(500, "The server failed while storing this change.\n");
        base.PreRestart(reason, message);
    }

    protected override void PostStop()
    {
        AnswerPendingWrite(503, "The entity stopped before this change was stored. Try again.\n");
        base.PostStop();
    }

    /// <summary>The request the entity's log lines belong to from now on (null: none).</summary>
    private void WorkOn(RequestContext? context) => RequestLogging.WorkOn(context?.Message.Telemetry);

    private void AnswerPendingWrite(int status, string text)
    {
        if (_awaitingWrite is { } pending)
        {
            _awaitingWrite = null;
            var response = HttpResponse.Text(status, text);
            pending.Respond(status == 503 ? response.WithHeader("Retry-After", "1") : response);
        }
    }
}
