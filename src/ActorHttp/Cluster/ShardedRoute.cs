using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;

namespace ActorHttp.Cluster;

/// <summary>
/// What makes a route sharded: the entity type (one shard region per <see cref="TypeName"/>), the
/// route parameter naming the entity, and how an entity is made from its id.
/// </summary>
public sealed record ShardedRoute
{
    private ShardedRoute(string typeName, string entityIdParameter, Type entityType, Func<string, Props> entityProps)
    {
        TypeName = typeName;
        EntityIdParameter = entityIdParameter;
        EntityType = entityType;
        EntityProps = entityProps;
    }

    public string TypeName { get; }

    public string EntityIdParameter { get; }

    /// <summary>The entity actor's type; the routes of one type name share it.</summary>
    public Type EntityType { get; }

    public Func<string, Props> EntityProps { get; }

    /// <summary>Starts this type's shard region with Akka.Cluster.Hosting, under a registry key of the entity type.</summary>
    internal Action<AkkaConfigurationBuilder, ShardOptions> AddRegion { get; private init; } = null!;

    /// <summary>This type's shard region, from the registry once started.</summary>
    internal Func<IReadOnlyActorRegistry, IActorRef> Region { get; private init; } = null!;

    public static ShardedRoute For<TEntity>(string typeName, string entityIdParameter, Func<string, Props> entityProps)
        where TEntity : ActorBase => new(typeName, entityIdParameter, typeof(TEntity), entityProps)
        {
            AddRegion = (builder, options) => builder.WithShardRegion<ShardRegionKey<TEntity>>(typeName, entityProps, new ShardedRequestExtractor(), options),
            Region = registry => registry.Get<ShardRegionKey<TEntity>>(),
        };

    /// <summary>
    /// A sharded route's request crosses nodes in one message, so its body cannot be streamed: such
    /// a registration is refused, naming the route.
    /// </summary>
    /// <exception cref="ArgumentException">The route is sharded and has a streamed-body limit.</exception>
    public static void Validate(Actors.RouteRegistration route)
    {
        if (route.Sharded is not null && route.StreamedBodyLimit is not null)
        {
            throw new ArgumentException(
                $"Route {route.Template} is sharded and streams request bodies: a sharded entity receives the whole body in one message between nodes (up to actorhttp.cluster.sharding.max-request-body-bytes), so drop the streamed-body limit or serve the route locally",
                nameof(route));
        }
    }

    /// <summary>The registry key of the shard region whose entities are <typeparamref name="TEntity"/>.</summary>
    private sealed class ShardRegionKey<TEntity>;
}
