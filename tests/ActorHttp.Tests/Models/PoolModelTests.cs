using ActorHttp.Models;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Models;

/// <summary>The <c>pool</c> model: a fixed set of workers, each holding a connection until it closes.</summary>
public sealed class PoolModelTests(PoolModelFixture fixture) : ModelServerTests<PoolModelFixture>(fixture)
{
    [Fact]
    public async Task A_handler_slower_than_the_handler_timeout_is_answered_late_not_503()
    {
        // The worker is in the handler: no deadline fires on its connection until the handler
        // returns, and then its answer is there. What the model does instead of the 503.
        var slow = TimedGetAsync("/slow?ms=1500");
        // Meanwhile another connection, on another worker, is served at once.
        var other = await TimedGetAsync("/hello");

        var (status, took) = await slow;

        Assert.Equal(200, status);
        Assert.True(took >= TimeSpan.FromMilliseconds(1400), $"answered after {took}");
        Assert.Equal(200, other.Status);
        Assert.True(other.Took < TimeSpan.FromMilliseconds(1000), $"the other connection waited {other.Took}");
    }

    [Fact]
    public async Task Connections_wait_in_the_queue_for_a_worker_and_past_it_get_503()
    {
        await using var server = await ModelServerFixture.StartAsync(ConcurrencyModel.Pool, """
            actorhttp.models.pool.threads = 1
            actorhttp.models.pool.queue = 1
            """);
        var holding = await RawHttpClient.ConnectAsync(server.Endpoint);
        await holding.SendAsync(Hello);
        Assert.Equal(200, (await holding.ReadResponseAsync()).Status);

        // The one worker is held by the keep-alive connection above: this one waits in the queue.
        await using var queued = await RawHttpClient.ConnectAsync(server.Endpoint);
        await queued.SendAsync(Hello);
        Assert.True(await queued.StaysSilentAsync(TimeSpan.FromMilliseconds(300)));

        await using var refused = await RawHttpClient.ConnectAsync(server.Endpoint);
        var answer = await refused.ReadResponseAsync();
        Assert.Equal(503, answer.Status);
        Assert.Equal("1", answer.Header("Retry-After"));
        Assert.True(answer.SaysClose);

        // The worker comes free when its connection leaves, and takes the queued one.
        await holding.DisposeAsync();
        Assert.Equal(200, (await queued.ReadResponseAsync()).Status);
    }
}
