using ActorHttp.Protocol;
using Akka.Actor;

namespace ActorHttp.Actors;

/// <summary>
/// A parsed request on its way from a connection, through the router, to a handler. The sequence
/// number is the request's place on its connection: answers are written in that order.
/// </summary>
public sealed record HandleRequest(HttpRequest Request, long Sequence, IActorRef Connection);

/// <summary>The answer to request <paramref name="Sequence"/>, sent by a handler straight to the connection.</summary>
public sealed record ResponseReady(long Sequence, HttpResponse Response);

/// <summary>A piece of the body of a <see cref="HttpResponse.Streamed"/> response.</summary>
public sealed record ResponseBodyChunk(long Sequence, ReadOnlyMemory<byte> Data);

/// <summary>The end of a streamed response body.</summary>
public sealed record ResponseBodyEnd(long Sequence);
