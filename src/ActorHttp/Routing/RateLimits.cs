using System.Globalization;
using ActorHttp.Protocol;

namespace ActorHttp.Routing;

/// <summary>
/// The buckets of every <c>actorhttp.rate-limits</c> rule, the most specific prefix winning. Not
/// thread-safe: the router owns it, and disposes it when it stops (each bucket has a refill timer).
/// </summary>
public sealed class RateLimits : IDisposable
{
    private readonly KeyedTokenBuckets[] _rules;

    public RateLimits(IReadOnlyList<RateLimitRule> rules) => _rules = rules.Select(static rule => new KeyedTokenBuckets(rule)).ToArray();

    /// <summary>No rules: requests skip the check outright.</summary>
    public bool IsEmpty => _rules.Length == 0;

    /// <summary>The buckets of the most specific rule covering the path, if any.</summary>
    public KeyedTokenBuckets? For(string path) => PathPrefix.MostSpecific(_rules, static buckets => buckets.Rule.Prefix, path);

    /// <summary>
    /// 429 (RFC 6585 §4) with <c>Retry-After</c> in whole seconds, rounded up so a client that waits
    /// that long finds a token; the connection stays open.
    /// </summary>
    public static HttpResponse TooManyRequests(RateLimitRule rule, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return HttpResponse.Text(429, $"Too many requests under {rule.Prefix}: try again in {seconds} s.\n").WithHeader("Retry-After", seconds);
    }

    public void Dispose()
    {
        foreach (var buckets in _rules)
        {
            buckets.Dispose();
        }
    }
}
