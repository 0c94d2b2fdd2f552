using Akka.Configuration;

namespace ActorHttp.Cluster;

/// <summary>How the split-brain resolver picks the side that lives on (<c>actorhttp.cluster.split-brain-resolver.strategy</c>).</summary>
public enum SplitBrainStrategy
{
    KeepMajority,
    KeepOldest,
}

/// <summary><c>actorhttp.cluster</c>: whether this node joins a cluster, where, and how failures are decided.</summary>
public sealed record ClusterSettings
{
    /// <summary>The actor system's name, fixed so that every node's seed addresses agree.</summary>
    public const string SystemName = "actorhttp";

    public bool Enabled { get; init; }

    public string Hostname { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 4053;

    public IReadOnlyList<string> SeedNodes { get; init; } = [];

    public IReadOnlyList<string> Roles { get; init; } = [];

    public SplitBrainStrategy SplitBrainStrategy { get; init; } = SplitBrainStrategy.KeepMajority;

    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(20);

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan AcceptableHeartbeatPause { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Role the entities live on; null: every node.</summary>
    public string? ShardingRole { get; init; }

    /// <summary>Idle time after which an entity is stopped; null: never.</summary>
    public TimeSpan? PassivateIdleAfter { get; init; } = TimeSpan.FromMinutes(2);

    public long MaxRequestBodyBytes { get; init; } = 256 * 1024;

    public long MaxMessageBytes { get; init; } = 1024 * 1024;

    /// <exception cref="ConfigurationException">A setting is out of range; the message names the key.</exception>
    public static ClusterSettings FromConfig(Config root)
    {
        var cluster = root.GetConfig("actorhttp.cluster") ?? throw new ConfigurationException("actorhttp.cluster is missing");
        var settings = new ClusterSettings
        {
            Enabled = cluster.GetBoolean("enabled", false),
            Hostname = cluster.GetString("hostname", "127.0.0.1"),
            Port = cluster.GetInt("port", 4053),
            SeedNodes = cluster.GetStringList("seed-nodes", []).ToArray(),
            Roles = cluster.GetStringList("roles", []).ToArray(),
            SplitBrainStrategy = cluster.GetString("split-brain-resolver.strategy", "keep-majority") switch
            {
                "keep-majority" => SplitBrainStrategy.KeepMajority,
                "keep-oldest" => SplitBrainStrategy.KeepOldest,
                var other => throw new ConfigurationException($"actorhttp.cluster.split-brain-resolver.strategy: \"{other}\" is not keep-majority or keep-oldest"),
            },
            StableAfter = cluster.GetTimeSpan("split-brain-resolver.stable-after", TimeSpan.FromSeconds(20)),
            HeartbeatInterval = cluster.GetTimeSpan("failure-detector.heartbeat-interval", TimeSpan.FromSeconds(1)),
            AcceptableHeartbeatPause = cluster.GetTimeSpan("failure-detector.acceptable-heartbeat-pause", TimeSpan.FromSeconds(3)),
            ShardingRole = cluster.GetString("sharding.role", string.Empty) is { Length: > 0 } role ? role : null,
            PassivateIdleAfter = cluster.GetTimeSpan("sharding.passivate-idle-after", TimeSpan.FromMinutes(2)) is var idle && idle > TimeSpan.Zero ? idle : null,
            MaxRequestBodyBytes = cluster.GetByteSize("sharding.max-request-body-bytes") ?? 256 * 1024,
            MaxMessageBytes = cluster.GetByteSize("sharding.max-message-bytes") ?? 1024 * 1024,
        };
        settings.Validate();
        return settings;
    }

    private void Validate()
    {
        Require(Port is >= 0 and <= 65535, "actorhttp.cluster.port must be 0 to 65535");
        Require(Hostname.Length > 0, "actorhttp.cluster.hostname must not be empty");
        Require(StableAfter > TimeSpan.Zero, "actorhttp.cluster.split-brain-resolver.stable-after must be positive");
        Require(HeartbeatInterval > TimeSpan.Zero, "actorhttp.cluster.failure-detector.heartbeat-interval must be positive");
        Require(AcceptableHeartbeatPause > HeartbeatInterval, "actorhttp.cluster.failure-detector.acceptable-heartbeat-pause must be longer than heartbeat-interval");
        Require(MaxMessageBytes >= 32 * 1024, "actorhttp.cluster.sharding.max-message-bytes must be at least 32k");
        Require(MaxRequestBodyBytes >= 0 && MaxRequestBodyBytes <= MaxMessageBytes - 16 * 1024,
            "actorhttp.cluster.sharding.max-request-body-bytes must be at least 16k under max-message-bytes (the request's head travels with it)");
        Require(!Enabled || Port != 0 || SeedNodes.Count == 0, "actorhttp.cluster.port 0 works only for a node that joins itself (seed-nodes empty): the seeds' addresses must be known");
        foreach (var seed in SeedNodes)
        {
            Require(seed.StartsWith($"akka.tcp://{SystemName}@", StringComparison.Ordinal),
                $"actorhttp.cluster.seed-nodes: \"{seed}\" is not akka.tcp://{SystemName}@HOST:PORT");
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ConfigurationException(message);
        }
    }
}
