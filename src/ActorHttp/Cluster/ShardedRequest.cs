using ActorHttp.Actors;

namespace ActorHttp.Cluster;

/// <summary>
/// A request on its way to the entity <paramref name="EntityId"/> of a sharded route, through the
/// shard regions (possibly to another node). The entity receives <paramref name="Message"/> itself
/// and answers <c>Message.Connection</c>, the connection on the node that read the request.
/// </summary>
public sealed record ShardedRequest(string EntityId, HandleRequest Message);
