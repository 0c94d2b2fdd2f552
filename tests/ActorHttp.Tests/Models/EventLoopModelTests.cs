using System.Diagnostics;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Models;

/// <summary>The <c>eventloop</c> model: one thread runs every connection and every handler.</summary>
public sealed class EventLoopModelTests(EventLoopModelFixture fixture) : ModelServerTests<EventLoopModelFixture>(fixture)
{
    [Fact]
    public async Task A_handler_waiting_asynchronously_past_the_handler_timeout_gets_503_and_the_connection_lives_on()
    {
        await using var client = await RawHttpClient.ConnectAsync(Fixture.Server.Endpoint);
        var started = Stopwatch.GetTimestamp();
        await client.SendAsync("GET /slow?ms=3000 HTTP/1.1\r\nHost: x\r\n\r\n");

        var response = await client.ReadResponseAsync();

        Assert.Equal(503, response.Status);
        Assert.False(response.SaysClose);
        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.FromMilliseconds(800), TimeSpan.FromMilliseconds(2500));
        await client.SendAsync(Hello);
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task A_blocking_handler_stalls_every_connection_and_its_deadline_with_them()
    {
        // What the model cannot do: the loop is in the handler, so no timer fires (no 503 at the
        // handler timeout: the answer goes out late, whole) and no other connection is served.
        var blocking = TimedGetAsync("/block?ms=1500");
        Assert.True(await Fixture.Routes.BlocksStarted.WaitAsync(TimeSpan.FromSeconds(5)));
        var other = await TimedGetAsync("/hello");

        var (status, took) = await blocking;

        Assert.Equal(200, status);
        Assert.True(took >= TimeSpan.FromMilliseconds(1400), $"answered after {took}");
        Assert.Equal(200, other.Status);
        Assert.True(other.Took >= TimeSpan.FromMilliseconds(800), $"the other connection was served after {other.Took}, while the loop was blocked");
    }
}
