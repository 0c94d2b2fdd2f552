using ActorHttp.Models;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Models;

/// <summary>The <c>pool</c> model: a fixed set of workers, each holding a connection until it closes.</summary>
public sealed class PoolModelTests(PoolModelFixture fixture) : BlockingModelTests<PoolModelFixture>(fixture)
{
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
