using System.Diagnostics;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.EndToEnd;

/// <summary>The demo's <c>/cpu</c> and <c>/block</c> routes, served by handler actors over real sockets.</summary>
public sealed class CpuAndBlockRouteTests(DefaultServerFixture fixture) : IClassFixture<DefaultServerFixture>
{
    private async Task<RawResponse> GetAsync(string target)
    {
        await using var client = await RawHttpClient.ConnectAsync(fixture.Server.Endpoint);
        await client.SendAsync($"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
        return await client.ReadResponseAsync();
    }

    [Fact]
    public async Task Cpu_burns_the_time_asked_and_says_how_many_hashes_it_took()
    {
        var started = Stopwatch.GetTimestamp();

        var response = await GetAsync("/cpu?us=20000");

        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(20));
        Assert.Equal(200, response.Status);
        Assert.Equal("text/plain; charset=utf-8", response.Header("Content-Type"));
        Assert.Matches(@"^Computed [1-9][0-9]* SHA-256 hashes in 20000 us\.\n$", response.BodyText);
    }

    [Fact]
    public async Task Block_answers_after_blocking_for_the_time_asked()
    {
        var started = Stopwatch.GetTimestamp();

        var response = await GetAsync("/block?ms=150");

        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(140), $"answered after {Stopwatch.GetElapsedTime(started)}");
        Assert.Equal(200, response.Status);
        Assert.Equal("Blocked a thread for 150 ms.\n", response.BodyText);
    }

    [Theory]
    [InlineData("/cpu?us=abc", "us must be a whole number from 0 to 1000000.\n")]
    [InlineData("/cpu?us=2000000", "us must be a whole number from 0 to 1000000.\n")]
    [InlineData("/block?ms=-1", "ms must be a whole number from 0 to 60000.\n")]
    [InlineData("/block?ms=99999", "ms must be a whole number from 0 to 60000.\n")]
    public async Task A_bad_parameter_is_400(string target, string message)
    {
        var response = await GetAsync(target);

        Assert.Equal(400, response.Status);
        Assert.Equal(message, response.BodyText);
    }
}
