namespace ActorHttp.Cluster;

/// <summary>
/// What a shard sends its entities to stop them, when they passivate or their shard moves to another
/// node (sharding's hand-off stop message). Unlike a PoisonPill, it waits in line: a persistent entity
/// stores and answers the write it is busy with first, so a node leaving fails no request.
/// </summary>
public sealed record StopEntity
{
    public static readonly StopEntity Instance = new();
}
