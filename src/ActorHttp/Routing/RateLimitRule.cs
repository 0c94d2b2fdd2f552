using System.Net;
using Akka.Configuration;

namespace ActorHttp.Routing;

/// <summary>Whose bucket a request takes its token from.</summary>
public enum RateLimitKey
{
    /// <summary>The client's address: every connection from one address shares a bucket.</summary>
    Client,

    /// <summary>The authenticated user, wherever it connects from; anonymous requests fall back to the client's address.</summary>
    User,
}

/// <summary>
/// A token bucket per client (or per user) for the paths under <see cref="Prefix"/>, nginx's
/// <c>limit_req</c>: every <see cref="Period"/> adds <see cref="Rate"/> tokens, up to
/// <see cref="Burst"/>; each request takes one, and a request that finds the bucket empty is
/// answered 429. At most <see cref="MaxKeys"/> buckets are kept (the least recently used goes first).
/// </summary>
public sealed record RateLimitRule(string Prefix, int Rate, TimeSpan Period, int Burst, RateLimitKey Key, int MaxKeys)
{
    public const int DefaultMaxKeys = 10_000;

    // The bucket of requests whose address is unknown (a connection that never had one, or tests).
    private static readonly object UnknownClient = new();

    public bool Covers(string path) => PathPrefix.Covers(Prefix, path);

    /// <summary>
    /// The bucket's key: the user's name when the rule counts users and the request has one, else the
    /// client's address. A name and an address are of different types, so they never share a bucket.
    /// </summary>
    public object KeyFor(IPAddress? client, string? user) =>
        Key == RateLimitKey.User && user is not null ? user : client ?? UnknownClient;

    /// <summary>Reads <c>actorhttp.rate-limits</c>: a list of rules, the most specific prefix winning.</summary>
    public static IReadOnlyList<RateLimitRule> FromConfig(Config root)
    {
        var rules = new List<RateLimitRule>();
        foreach (var entry in root.GetValue("actorhttp.rate-limits")?.GetArray() ?? [])
        {
            var rule = entry.GetObject();
            var prefix = rule.GetKey("prefix")?.GetString() ?? throw new ConfigurationException("actorhttp.rate-limits: a rule has no prefix");
            var rate = Read(prefix, "rate", rule.GetKey("rate"), static v => (int?)v.GetInt())
                ?? throw new ConfigurationException($"actorhttp.rate-limits: {prefix}: rate is missing");
            var key = Read(prefix, "key", rule.GetKey("key"), static v => v.GetString()) ?? "client";
            rules.Add(Validated(new RateLimitRule(
                prefix,
                rate,
                Read(prefix, "period", rule.GetKey("period"), static v => (TimeSpan?)v.GetTimeSpan()) ?? TimeSpan.FromSeconds(1),
                Read(prefix, "burst", rule.GetKey("burst"), static v => (int?)v.GetInt()) ?? rate,
                key.Trim().ToLowerInvariant() switch
                {
                    "client" => RateLimitKey.Client,
                    "user" => RateLimitKey.User,
                    _ => throw new ConfigurationException($"actorhttp.rate-limits: {prefix}: key must be \"client\" or \"user\", not \"{key}\""),
                },
                Read(prefix, "max-keys", rule.GetKey("max-keys"), static v => (int?)v.GetInt()) ?? DefaultMaxKeys)));
        }

        // The shared empty list when none is configured: the router then skips the check outright.
        return rules.Count == 0 ? Array.Empty<RateLimitRule>() : rules;
    }

    /// <summary>Refuses a rule the token bucket could not honour, naming its prefix and key.</summary>
    public static RateLimitRule Validated(RateLimitRule rule)
    {
        var problem = !rule.Prefix.StartsWith('/') ? "prefix must start with /"
            : rule.Rate <= 0 ? "rate must be positive"
            : rule.Period < TimeSpan.FromMilliseconds(1) ? "period must be at least 1ms"
            : rule.Burst <= 0 ? "burst must be positive"
            // Tokens that do not fit in the bucket would be lost, silently lowering the rate.
            : rule.Burst < rule.Rate ? $"burst ({rule.Burst}) must be at least rate ({rule.Rate})"
            : rule.MaxKeys <= 0 ? "max-keys must be positive"
            : null;
        return problem is null ? rule : throw new ConfigurationException($"actorhttp.rate-limits: {rule.Prefix}: {problem}");
    }

    // Akka's getters throw a bare FormatException that names neither the rule nor the key.
    private static T? Read<T>(string prefix, string key, Akka.Configuration.Hocon.HoconValue? value, Func<Akka.Configuration.Hocon.HoconValue, T?> read)
    {
        if (value is null)
        {
            return default;
        }

        try
        {
            return read(value);
        }
        catch (Exception error) when (error is FormatException or OverflowException or InvalidCastException or NotSupportedException)
        {
            throw new ConfigurationException($"actorhttp.rate-limits: {prefix}: {key} has an invalid value: {error.Message}");
        }
    }
}
