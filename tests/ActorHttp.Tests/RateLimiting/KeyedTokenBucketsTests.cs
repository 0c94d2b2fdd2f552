using System.Net;
using ActorHttp.Routing;

namespace ActorHttp.Tests.RateLimiting;

/// <summary>The per-key token buckets of one rule: bursts, refusals, refills, and the bound on memory.</summary>
public sealed class KeyedTokenBucketsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_burst_is_served_then_refused_with_the_time_until_the_next_token()
    {
        using var buckets = new KeyedTokenBuckets(new RateLimitRule("/api", 2, TimeSpan.FromMinutes(1), 3, RateLimitKey.Client, 10));
        var client = IPAddress.Parse("192.0.2.1");

        for (var i = 0; i < 3; i++)
        {
            Assert.True(buckets.TryTake(client, out _));
        }

        Assert.False(buckets.TryTake(client, out var retryAfter));
        Assert.Equal(TimeSpan.FromMinutes(1), retryAfter);
    }

    [Fact]
    public void Each_key_has_its_own_bucket()
    {
        using var buckets = new KeyedTokenBuckets(new RateLimitRule("/api", 1, TimeSpan.FromMinutes(1), 1, RateLimitKey.User, 10));

        Assert.True(buckets.TryTake("ann", out _));
        Assert.False(buckets.TryTake("ann", out _));
        Assert.True(buckets.TryTake("bob", out _));
        Assert.Equal(2, buckets.Count);
    }

    [Fact]
    public async Task An_empty_bucket_is_refilled_by_its_timer()
    {
        using var buckets = new KeyedTokenBuckets(new RateLimitRule("/api", 1, TimeSpan.FromMilliseconds(100), 1, RateLimitKey.Client, 10));
        var client = IPAddress.Parse("192.0.2.1");
        Assert.True(buckets.TryTake(client, out _));
        Assert.False(buckets.TryTake(client, out _));

        Assert.True(await EventuallyAsync(() => buckets.TryTake(client, out _)));
    }

    [Fact]
    public void Many_distinct_clients_never_keep_more_than_max_keys_buckets()
    {
        using var buckets = new KeyedTokenBuckets(new RateLimitRule("/api", 1, TimeSpan.FromMinutes(1), 1, RateLimitKey.Client, 100));

        for (var i = 0; i < 20_000; i++)
        {
            // An attacker with a block of addresses: every one of them is new, so every one gets its burst.
            Assert.True(buckets.TryTake(new IPAddress(BitConverter.GetBytes(0x0A000000 + i)), out _));
            Assert.True(buckets.Count <= 100);
        }

        Assert.Equal(100, buckets.Count);
    }

    [Fact]
    public void The_least_recently_used_bucket_is_the_one_evicted()
    {
        using var buckets = new KeyedTokenBuckets(new RateLimitRule("/api", 1, TimeSpan.FromMinutes(1), 2, RateLimitKey.User, 2));
        Assert.True(buckets.TryTake("ann", out _));
        Assert.True(buckets.TryTake("bob", out _));
        Assert.True(buckets.TryTake("ann", out _));

        // A third user evicts bob (used least recently), not ann, whose bucket is empty and stays so.
        Assert.True(buckets.TryTake("cy", out _));

        Assert.False(buckets.TryTake("ann", out _));
        Assert.Equal(2, buckets.Count);
    }

    [Fact]
    public async Task A_bucket_full_again_is_dropped()
    {
        using var buckets = new KeyedTokenBuckets(new RateLimitRule("/api", 1, TimeSpan.FromMilliseconds(50), 1, RateLimitKey.User, 10));
        Assert.True(buckets.TryTake("ann", out _));
        Assert.True(buckets.TryTake("bob", out _));
        Assert.Equal(2, buckets.Count);

        // Once refilled, ann's bucket (the least recently used) is dropped by the next request: ann
        // would get the same full bucket anew.
        Assert.True(await EventuallyAsync(() =>
        {
            buckets.TryTake("cy", out _);
            return buckets.Count < 3;
        }));
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(20);
        }

        return false;
    }
}
