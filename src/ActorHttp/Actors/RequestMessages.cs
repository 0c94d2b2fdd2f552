using System.Net;
using ActorHttp.Handlers.Auth;
using ActorHttp.Protocol;
using Akka.Actor;

namespace ActorHttp.Actors;

/// <summary>
/// A parsed request on its way from a connection, through the router, to a handler. The sequence
/// number is the request's place on its connection: answers are written in that order.
/// <paramref name="ClientAddress"/> is the peer's address (for X-Forwarded-For and logs);
/// <paramref name="User"/> the authenticated user on a protected route.
/// </summary>
public sealed record HandleRequest(HttpRequest Request, long Sequence, IActorRef Connection, IPAddress? ClientAddress = null, Principal? User = null);

/// <summary>The answer to request <paramref name="Sequence"/>, sent by a handler straight to the connection.</summary>
public sealed record ResponseReady(long Sequence, HttpResponse Response);

/// <summary>
/// A piece of the body of a <see cref="HttpResponse.Streamed"/> response. Once its bytes have been
/// handed to the socket, the connection answers the sender with <see cref="ResponseBodyChunkSent"/>:
/// a streaming handler that waits for it before sending more reads no faster than the client takes.
/// </summary>
public sealed record ResponseBodyChunk(long Sequence, ReadOnlyMemory<byte> Data);

/// <summary>The connection's acknowledgement that a <see cref="ResponseBodyChunk"/> went out.</summary>
public sealed record ResponseBodyChunkSent(long Sequence);

/// <summary>A streamed response will never be completed (the connection closed): stop producing it.</summary>
public sealed record ResponseAborted(long Sequence);

/// <summary>The end of a streamed response body.</summary>
public sealed record ResponseBodyEnd(long Sequence);

/// <summary>
/// A streamed body that cannot be completed (its source failed): the connection closes without the
/// body's proper end, so the client sees a truncated response instead of a falsely complete one.
/// </summary>
public sealed record ResponseBodyAbort(long Sequence);
