using Akka.Actor;

namespace ActorHttp.Actors;

/// <summary>A route supervisor's current handler actors, told to the router so it can reach them in one hop.</summary>
internal sealed record RouteHandlersChanged(IActorRef Supervisor, IActorRef[] Handlers);

/// <summary>A route in a crash storm: the router answers 503 for it until <paramref name="Until"/>.</summary>
internal sealed record RouteShedding(IActorRef Supervisor, DateTime Until);
