using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Models;

/// <summary>The <c>threads</c> model: a thread per connection, blocking; handlers run on it.</summary>
public sealed class ThreadsModelTests(ThreadsModelFixture fixture) : ModelServerTests<ThreadsModelFixture>(fixture)
{
    [Fact]
    public async Task A_handler_slower_than_the_handler_timeout_is_answered_late_not_503()
    {
        // The connection's thread is in the handler: no deadline can fire on it until the handler
        // returns, and then its answer is there. What the model does instead of the 503.
        var slow = TimedGetAsync("/slow?ms=1500");
        // Meanwhile another connection, on a thread of its own, is served at once.
        var other = await TimedGetAsync("/hello");

        var (status, took) = await slow;

        Assert.Equal(200, status);
        Assert.True(took >= TimeSpan.FromMilliseconds(1400), $"answered after {took}");
        Assert.Equal(200, other.Status);
        Assert.True(other.Took < TimeSpan.FromMilliseconds(1000), $"the other connection waited {other.Took}");
    }
}
