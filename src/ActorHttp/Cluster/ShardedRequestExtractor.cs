using Akka.Cluster.Sharding;


namespace ActorHttp.Cluster;

/// <summary>
/// Routes a <see cref="ShardedRequest"/> to its entity: the shard is a hash of the entity id over a
/// fixed number of shards (10 per node of a large cluster is Akka's advice; 100 covers up to 10
/// nodes), and the entity receives the request itself, not the envelope. Akka's own sharding
/// messages (StartEntity, ShardingEnvelope) are handled by the base class.
/// </summary>
public sealed class ShardedRequestExtractor() : HashCodeMessageExtractor(MaxShards)
{
    /// <summary>Must be the same on every node, so it is not a setting.</summary>
    public const int MaxShards = 100;

    public override string? EntityId(object message) => message switch
    {
        ShardedRequest request => request.EntityId,
        _ => null,
    };

    public override object EntityMessage(object message) => message is ShardedRequest request ? request.Message : message;
}
