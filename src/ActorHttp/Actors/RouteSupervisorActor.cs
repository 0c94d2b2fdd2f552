using System.Globalization;
using ActorHttp.Protocol;
using Akka.Actor;
using Akka.Event;

namespace ActorHttp.Actors;

/// <summary>
/// Parent of one route's handler actors. Its strategy restarts a handler that throws (the handler
/// answers 500 for the request that crashed it, see <c>HttpHandlerActor</c>), so one bad request
/// costs only its own answer and requests queued behind it are still served.
/// A crash storm (more than <c>max-restarts</c> crashes within <c>restart-window</c>) makes the route
/// shed load: new requests get 503 with <c>Retry-After</c> until <c>recovery-delay</c> has passed
/// without another crash. Other routes and the server are untouched.
/// </summary>
/// <remarks>
/// The router sends requests straight to the handlers (one hop less per request): this actor tells
/// its parent the current handlers and any shedding. Requests that still reach it (before the first
/// list arrived, or while no handler is alive) are dispatched here.
/// </remarks>
public sealed class RouteSupervisorActor : ReceiveActor, IWithTimers
{
    private readonly Props _handlerProps;
    private readonly int _instances;
    private readonly SupervisionSettings _settings;
    private readonly string _template;
    private readonly HttpResponse _unavailable;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<IActorRef> _handlers = [];
    private readonly Queue<DateTime> _recentCrashes = new();
    private DateTime _recoveringUntil = DateTime.MinValue;
    private int _next;
    private int _generation;

    public RouteSupervisorActor(Props handlerProps, int instances, SupervisionSettings settings, string template)
    {
        _handlerProps = handlerProps;
        _instances = instances;
        _settings = settings;
        _template = template;
        _unavailable = UnavailableResponse(settings);

        Receive<HandleRequest>(Dispatch);
        Receive<Terminated>(OnHandlerStopped);
        Receive<ReplaceStoppedHandlers>(_ => StartHandlers());
        Receive<DeadLetter>(OnDeadLetter);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Props handlerProps, int instances, SupervisionSettings settings, string template) =>
        Akka.Actor.Props.Create(() => new RouteSupervisorActor(handlerProps, instances, settings, template));

    protected override void PreStart()
    {
        // A handler that fails in its constructor is stopped, and whatever was sent to it before its
        // failure reached us is dead-lettered. Catching those here answers them at once instead of
        // leaving the client to wait for the connection's handler-timeout.
        Context.System.EventStream.Subscribe(Self, typeof(DeadLetter));
        StartHandlers();
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self, typeof(DeadLetter));

    // The decider runs inside this actor while it handles the child's failure, so it may update state.
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(error =>
        {
            RecordCrash();
            // A handler whose constructor throws would only throw again on restart.
            return error is ActorInitializationException ? Directive.Stop : Directive.Restart;
        });

    private void RecordCrash()
    {
        var now = DateTime.UtcNow;
        _recentCrashes.Enqueue(now);
        while (_recentCrashes.Count > 0 && now - _recentCrashes.Peek() > _settings.RestartWindow)
        {
            _recentCrashes.Dequeue();
        }

        if (_recentCrashes.Count > _settings.MaxRestarts)
        {
            if (now >= _recoveringUntil)
            {
                _log.Error("Route {Template} crashed {Crashes} times within {Window}; answering 503 until it has been quiet for {RecoveryDelay}", _template, _recentCrashes.Count, _settings.RestartWindow, _settings.RecoveryDelay);
            }

            _recoveringUntil = now + _settings.RecoveryDelay;
            Context.Parent.Tell(new RouteShedding(Self, _recoveringUntil));
        }
    }

    private void StartHandlers()
    {
        _generation++;
        while (_handlers.Count < _instances)
        {
            var handler = Context.ActorOf(_handlerProps, $"handler-{_generation}-{_handlers.Count}");
            Context.Watch(handler);
            _handlers.Add(handler);
        }

        Context.Parent.Tell(new RouteHandlersChanged(Self, [.. _handlers]));
    }

    private void Dispatch(HandleRequest message)
    {
        if (_handlers.Count == 0 || DateTime.UtcNow < _recoveringUntil)
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
        if (dead.Message is HandleRequest request && Self.Path.Equals(dead.Recipient.Path.Parent))
        {
            AnswerUnavailable(request);
        }
    }

    /// <summary>
    /// The answer while a route sheds load or has no live handler: 503 with a Retry-After of the
    /// recovery delay. Immutable, so each actor that gives it builds it once.
    /// </summary>
    internal static HttpResponse UnavailableResponse(SupervisionSettings settings) =>
        HttpResponse.Text(503, "This route is recovering from repeated failures; try again shortly.\n")
            .WithHeader("Retry-After", Math.Max(1, (int)Math.Ceiling(settings.RecoveryDelay.TotalSeconds)).ToString(CultureInfo.InvariantCulture));

    private void AnswerUnavailable(HandleRequest message) =>
        message.Connection.Tell(new ResponseReady(message.Sequence, _unavailable));

    private void OnHandlerStopped(Terminated terminated)
    {
        _handlers.Remove(terminated.ActorRef);
        Context.Parent.Tell(new RouteHandlersChanged(Self, [.. _handlers]));
        _log.Error("A handler of route {Template} failed to start and was stopped; replacing it in {RecoveryDelay}", _template, _settings.RecoveryDelay);
        if (!Timers.IsTimerActive("replace"))
        {
            Timers.StartSingleTimer("replace", ReplaceStoppedHandlers.Instance, _settings.RecoveryDelay);
        }
    }

    private sealed record ReplaceStoppedHandlers
    {
        public static readonly ReplaceStoppedHandlers Instance = new();
    }
}
