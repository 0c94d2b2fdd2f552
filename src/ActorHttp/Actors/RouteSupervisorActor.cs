using System.Globalization;
using ActorHttp.Observability;
using ActorHttp.Protocol;
using Akka.Actor;
using Akka.Event;

namespace ActorHttp.Actors;

/// <summary>
/// Parent of one route's handler actors. A handler that throws is restarted at once, however often
/// it happens: the handler answers 500 for the request that crashed it (see <c>HttpHandlerActor</c>),
/// a fresh instance takes the requests queued behind it, and no crash rate makes the route refuse
/// anyone else. A handler that cannot be started (its constructor or <c>PreStart</c> throws, also
/// when a restart builds the new instance) is stopped and started again: at once the first time,
/// then after <c>start-backoff-min</c>, doubling up to <c>start-backoff-max</c> while the starts keep
/// failing, and at once again after a start that worked. Only while none of the route's handlers
/// is running does the route answer 503, with <c>Retry-After</c> saying when the next start is due.
/// </summary>
/// <remarks>
/// The router sends requests straight to the handlers (one hop less per request): this actor tells
/// its parent the current handlers. Requests that still reach it (before the first list arrived, or
/// while no handler is running) are dispatched here.
/// </remarks>
public sealed class RouteSupervisorActor : ReceiveActor, IWithTimers
{
    private const string StartTimer = "start-missing-handlers";

    private readonly Props _handlerProps;
    private readonly int _instances;
    private readonly SupervisionSettings _settings;
    private readonly string _template;
    private readonly ServerMetrics? _metrics;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<IActorRef> _handlers = [];
    private int _next;
    private int _handlersCreated;

    // Zero after a start that worked: a start failing then is retried at once.
    private TimeSpan _waitAfterFailedStart = TimeSpan.Zero;

    // A handler that keeps failing to start fails the same way each time: its stack is logged once
    // per run of failures, and each retry after that is one warning line with the reason.
    private bool _startFailureLogged;
    private DateTime _nextStartAttempt = DateTime.MinValue;

    public RouteSupervisorActor(Props handlerProps, int instances, SupervisionSettings settings, string template, ServerMetrics? metrics = null)
    {
        _metrics = metrics;
        _handlerProps = handlerProps;
        _instances = instances;
        _settings = settings;
        _template = template;

        Receive<HandleRequest>(Dispatch);
        Receive<DeadLetter>(OnDeadLetter);
        Receive<ActorIdentity>(OnHandlerIdentified);
        Receive<Terminated>(OnHandlerStopped);
        Receive<StartMissingHandlers>(_ => StartHandlers());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Props handlerProps, int instances, SupervisionSettings settings, string template, ServerMetrics? metrics = null) =>
        Akka.Actor.Props.Create(() => new RouteSupervisorActor(handlerProps, instances, settings, template, metrics));

    protected override void PreStart()
    {
        // A handler that fails to start is stopped, and whatever was sent to it meanwhile is
        // dead-lettered. Catching those here hands them to a running handler (or answers 503) at once,
        // instead of leaving the client to wait for the connection's handler-timeout.
        Context.System.EventStream.Subscribe(Self, typeof(DeadLetter));
        StartHandlers();
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self, typeof(DeadLetter));

    // No limit on restarts: a limit is what lets one client's crashing requests take the route from
    // everybody. Akka's own failure log is off because the handler logs its crash once, with the
    // request it failed on; failed starts, which no handler instance lived to log, are logged here.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(Decide, loggingEnabled: false);

    // Runs inside this actor while it handles the child's failure.
    private Directive Decide(Exception error)
    {
        _metrics?.HandlerCrashed(_template, error);
        if (error is ActorInitializationException)
        {
            // Restarting would build a new instance right away, again and again: stopped, the
            // handler is started again by OnHandlerStopped, paced by the back-off.
            if (_startFailureLogged)
            {
                _log.Warning("A handler of route {Template} still fails to start: {Reason}", _template, error.GetBaseException().Message);
            }
            else
            {
                _startFailureLogged = true;
                _log.Error(error, "A handler of route {Template} failed to start", _template);
            }

            return Directive.Stop;
        }

        _metrics?.HandlerRestarted(_template);
        return Directive.Restart;
    }

    private void StartHandlers()
    {
        var first = _handlersCreated == 0;
        while (_handlers.Count < _instances)
        {
            if (!first)
            {
                // A handler started again after it failed to start (or stopped): a restart too.
                _metrics?.HandlerRestarted(_template);
            }

            var handler = Context.ActorOf(_handlerProps, $"handler-{_handlersCreated++}");
            Context.Watch(handler);
            // Only a handler that got through its constructor and PreStart processes a message, so
            // its answer to Identify is the sign that this start worked.
            handler.Tell(new Identify(null));
            _handlers.Add(handler);
        }

        Context.Parent.Tell(new RouteHandlersChanged(Self, [.. _handlers]));
    }

    private void OnHandlerIdentified(ActorIdentity identity)
    {
        if (identity.Subject is not null)
        {
            _waitAfterFailedStart = TimeSpan.Zero;
            _startFailureLogged = false;
        }
    }

    private void OnHandlerStopped(Terminated terminated)
    {
        _handlers.Remove(terminated.ActorRef);
        if (Timers.IsTimerActive(StartTimer))
        {
            // The start already due replaces this one too, so a round of failures doubles the wait once.
            Context.Parent.Tell(new RouteHandlersChanged(Self, [.. _handlers]));
            return;
        }

        var wait = _waitAfterFailedStart;
        _waitAfterFailedStart = wait == TimeSpan.Zero
            ? _settings.StartBackoffMin
            : TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, _settings.StartBackoffMax.Ticks));
        if (wait == TimeSpan.Zero)
        {
            // A constructor that fails only sometimes most likely works on the next try.
            StartHandlers();
            return;
        }

        _nextStartAttempt = DateTime.UtcNow + wait;
        Timers.StartSingleTimer(StartTimer, StartMissingHandlers.Instance, wait);
        _log.Warning("Route {Template} has {Running} of its {Instances} handlers running; starting the missing ones in {WaitMs} ms", _template, _handlers.Count, _instances, (long)wait.TotalMilliseconds);
        Context.Parent.Tell(new RouteHandlersChanged(Self, [.. _handlers]));
    }

    private void Dispatch(HandleRequest message)
    {
        if (_handlers.Count == 0)
        {
            AnswerUnavailable(message);
            return;
        }

        _next = (_next + 1) % _handlers.Count;
        _handlers[_next].Forward(message);
    }

    private void OnDeadLetter(DeadLetter dead)
    {
        // Every supervisor sees every dead letter; only requests stranded in our own handlers are ours.
        if (dead.Message is not HandleRequest request || !Self.Path.Equals(dead.Recipient.Path.Parent))
        {
            return;
        }

        if (_handlers.Find(handler => !handler.Equals(dead.Recipient)) is { } running)
        {
            running.Tell(request, request.Connection);
        }
        else
        {
            AnswerUnavailable(request);
        }
    }

    private void AnswerUnavailable(HandleRequest message)
    {
        _metrics?.RequestShed(_template);
        var retryAfter = Math.Max(1, (int)Math.Ceiling((_nextStartAttempt - DateTime.UtcNow).TotalSeconds));
        var response = HttpResponse.Text(503, "This route's handler cannot be started at the moment; try again shortly.\n")
            .WithHeader("Retry-After", retryAfter.ToString(CultureInfo.InvariantCulture));
        message.Connection.Tell(new ResponseReady(message.Sequence, response, message.Route));
    }

    private sealed record StartMissingHandlers
    {
        public static readonly StartMissingHandlers Instance = new();
    }
}
