using System.Diagnostics;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Models;

/// <summary>The <c>tasks</c> model: an async loop per connection on the thread pool, handlers awaited.</summary>
public sealed class TasksModelTests(TasksModelFixture fixture) : ModelServerTests<TasksModelFixture>(fixture)
{
    [Theory]
    [InlineData("/slow?ms=3000")]
    [InlineData("/block?ms=3000")]
    public async Task A_handler_past_the_handler_timeout_gets_503_even_when_it_blocks_and_the_connection_lives_on(string target)
    {
        // The handler runs as a work item of its own: the connection's loop is free to answer for it.
        await using var client = await RawHttpClient.ConnectAsync(Fixture.Server.Endpoint);
        var started = Stopwatch.GetTimestamp();
        await client.SendAsync($"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");

        var response = await client.ReadResponseAsync();

        Assert.Equal(503, response.Status);
        Assert.False(response.SaysClose);
        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.FromMilliseconds(800), TimeSpan.FromMilliseconds(2800));
        await client.SendAsync(Hello);
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
    }
}
