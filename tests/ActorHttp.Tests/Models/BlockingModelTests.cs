using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Models;

/// <summary>
/// What the two blocking models, <c>threads</c> and <c>pool</c>, do alike: a handler runs on the
/// thread that serves its connection (its own, or a worker's), so nothing can answer for it at
/// <c>handler-timeout</c>, and nothing else waits for it.
/// </summary>
public abstract class BlockingModelTests<TFixture>(TFixture fixture) : ModelServerTests<TFixture>(fixture)
    where TFixture : ModelServerFixture
{
    [Fact]
    public async Task A_handler_slower_than_the_handler_timeout_is_answered_late_not_503()
    {
        // The connection's thread is in the handler: no deadline can fire on it until the handler
        // returns, and then its answer is there. What the model does instead of the 503.
        var slow = TimedGetAsync("/slow?ms=1500");
        // Meanwhile another connection, on another thread, is served at once.
        var other = await TimedGetAsync("/hello");

        var (status, took) = await slow;

        Assert.Equal(200, status);
        Assert.True(took >= TimeSpan.FromMilliseconds(1400), $"answered after {took}");
        Assert.Equal(200, other.Status);
        Assert.True(other.Took < TimeSpan.FromMilliseconds(1000), $"the other connection waited {other.Took}");
    }
}
