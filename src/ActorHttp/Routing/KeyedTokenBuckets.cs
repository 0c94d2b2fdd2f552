using System.Threading.RateLimiting;

namespace ActorHttp.Routing;

/// <summary>
/// The token buckets of one <see cref="RateLimitRule"/>, one per key (client address or user), each a
/// System.Threading.RateLimiting <see cref="TokenBucketRateLimiter"/> refilled by its own timer.
/// Memory is bounded: at most <see cref="RateLimitRule.MaxKeys"/> buckets are kept, in
/// least-recently-used order; a new key past the bound evicts the least recently used bucket, and a
/// bucket that is full again is dropped as soon as it reaches the old end of that order, since a
/// full bucket is exactly what a new key gets. Not thread-safe: one actor (the router) owns it.
/// </summary>
public sealed class KeyedTokenBuckets : IDisposable
{
    // Full buckets dropped per request at most: enough to keep up with the new keys (one per
    // request), few enough that a request never pays for a sweep.
    private const int FullBucketsDroppedPerRequest = 2;

    private readonly TokenBucketRateLimiterOptions _options;
    private readonly Dictionary<object, LinkedListNode<(object Key, TokenBucketRateLimiter Bucket)>> _byKey = [];

    // Most recently used first.
    private readonly LinkedList<(object Key, TokenBucketRateLimiter Bucket)> _recency = new();

    public KeyedTokenBuckets(RateLimitRule rule)
    {
        Rule = rule;
        _options = new TokenBucketRateLimiterOptions
        {
            TokenLimit = rule.Burst,
            TokensPerPeriod = rule.Rate,
            ReplenishmentPeriod = rule.Period,
            AutoReplenishment = true,

            // An actor never waits: a request either gets a token now or is refused.
            QueueLimit = 0,
        };
    }

    public RateLimitRule Rule { get; }

    /// <summary>Buckets kept now; never more than <see cref="RateLimitRule.MaxKeys"/>.</summary>
    public int Count => _byKey.Count;

    /// <summary>
    /// Takes a token from <paramref name="key"/>'s bucket without waiting. False when it is empty;
    /// <paramref name="retryAfter"/> then tells when the next token comes.
    /// </summary>
    public bool TryTake(object key, out TimeSpan retryAfter)
    {
        DropFullBuckets();
        if (_byKey.TryGetValue(key, out var node))
        {
            _recency.Remove(node);
            _recency.AddFirst(node);
        }
        else
        {
            if (_byKey.Count >= Rule.MaxKeys)
            {
                Drop(_recency.Last!);
            }

            node = _recency.AddFirst((key, new TokenBucketRateLimiter(_options)));
            _byKey.Add(key, node);
        }

        using var lease = node.Value.Bucket.AttemptAcquire();
        retryAfter = lease.IsAcquired ? TimeSpan.Zero
            : lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after
            : Rule.Period;
        return lease.IsAcquired;
    }

    public void Dispose()
    {
        // Each bucket's refill timer keeps it alive until it is disposed.
        foreach (var (_, bucket) in _recency)
        {
            bucket.Dispose();
        }

        _recency.Clear();
        _byKey.Clear();
    }

    private void DropFullBuckets()
    {
        // IdleDuration is set while a bucket is full (and nobody waits on it).
        for (var i = 0; i < FullBucketsDroppedPerRequest && _recency.Last is { } oldest && oldest.Value.Bucket.IdleDuration is not null; i++)
        {
            Drop(oldest);
        }
    }

    private void Drop(LinkedListNode<(object Key, TokenBucketRateLimiter Bucket)> node)
    {
        _recency.Remove(node);
        _byKey.Remove(node.Value.Key);
        node.Value.Bucket.Dispose();
    }
}
