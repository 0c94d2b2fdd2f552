using Akka.Actor;

namespace ActorHttp.Actors;

/// <summary>A route supervisor's current handler actors, told to the router so it can reach them in one hop.</summary>
internal sealed record RouteHandlersChanged(IActorRef Supervisor, IActorRef[] Handlers);
