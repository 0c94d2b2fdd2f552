using System.Globalization;
using ActorHttp.Actors;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Remote.Hosting;

namespace ActorHttp.Cluster;

/// <summary>Joins the actor system to a cluster (<c>actorhttp.cluster</c>) and starts the shard regions of the sharded routes.</summary>
public static class ClusterHosting
{
    /// <summary>
    /// With the cluster on: remoting on <c>hostname:port</c>, Akka.Cluster with the seed nodes (or a
    /// self-join when there are none), the split-brain resolver, and one shard region per sharded type
    /// name, registered in Akka.Hosting's registry for the router. With it off, nothing, and sharded
    /// routes are refused: they cannot be served without a cluster.
    /// </summary>
    /// <exception cref="Akka.Configuration.ConfigurationException">Sharded routes are mapped while the cluster is off.</exception>
    public static AkkaConfigurationBuilder WithActorHttpCluster(this AkkaConfigurationBuilder builder, ClusterSettings settings, IReadOnlyList<RouteRegistration> routes)
    {
        foreach (var route in routes)
        {
            ShardedRoute.Validate(route);
        }

        var sharded = routes.Where(r => r.Sharded is not null).ToArray();
        if (!settings.Enabled)
        {
            if (sharded.Length > 0)
            {
                throw new Akka.Configuration.ConfigurationException(
                    $"The sharded route {sharded[0].Template} needs actorhttp.cluster.enabled = on (a node with no seed-nodes forms a cluster of one)");
            }

            return builder;
        }

        var frame = settings.MaxMessageBytes;
        builder.WithRemoting(new RemoteOptions
        {
            HostName = settings.Hostname,
            Port = settings.Port,
            MaxFrameSize = (int)frame,
            // The socket buffers must hold a whole frame.
            SendBufferSize = (int)Math.Max(frame * 2, 256_000),
            ReceiveBufferSize = (int)Math.Max(frame * 2, 256_000),
        });
        builder.WithClustering(new ClusterOptions
        {
            SeedNodes = [.. settings.SeedNodes],
            Roles = [.. settings.Roles],
            SplitBrainResolver = settings.SplitBrainStrategy switch
            {
                SplitBrainStrategy.KeepOldest => new KeepOldestOption { DownIfAlone = true },
                _ => new KeepMajorityOption(),
            },
            FailureDetector = new Akka.Remote.Hosting.PhiAccrualFailureDetectorOptions
            {
                HeartbeatInterval = settings.HeartbeatInterval,
                AcceptableHeartbeatPause = settings.AcceptableHeartbeatPause,
            },
        });
        var stableAfter = ((long)settings.StableAfter.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        builder.AddHocon($"akka.cluster.split-brain-resolver.stable-after = {stableAfter}ms", HoconAddMode.Prepend);

        if (settings.SeedNodes.Count == 0)
        {
            // No seeds: this node forms a cluster of its own, which others may join.
            builder.WithActors((system, _) => Akka.Cluster.Cluster.Get(system).Join(Akka.Cluster.Cluster.Get(system).SelfAddress));
        }

        var options = new ShardOptions
        {
            // A passivated or lost entity starts again on its next request, not by itself.
            RememberEntities = false,
            StateStoreMode = StateStoreMode.DData,
            Role = settings.ShardingRole,
            ShouldPassivateIdleEntities = settings.PassivateIdleAfter is not null,
            PassivateIdleEntityAfter = settings.PassivateIdleAfter,
            HandOffStopMessage = StopEntity.Instance,
        };
        foreach (var route in sharded.DistinctBy(r => r.Sharded!.TypeName))
        {
            route.Sharded!.AddRegion(builder, options);
        }

        return builder;
    }
}
