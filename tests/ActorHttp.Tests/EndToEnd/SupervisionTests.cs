using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.EndToEnd;

/// <summary>A crashing handler costs one 500; the connection, other requests and the route live on.</summary>
public sealed class SupervisionTests
{
    [Fact]
    public async Task Crash_is_a_500_and_the_connection_lives_on()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await client.SendAsync("GET /crash HTTP/1.1\r\nHost: x\r\n\r\n");

        var crash = await client.ReadResponseAsync();

        Assert.Equal(500, crash.Status);
        Assert.False(crash.SaysClose);
        Assert.DoesNotContain("on purpose", crash.BodyText);
        await client.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task Pipelined_neighbours_of_a_crash_are_answered()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await client.SendAsync(
            "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n" +
            "GET /crash HTTP/1.1\r\nHost: x\r\n\r\n" +
            "GET /json HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        Assert.Equal(500, (await client.ReadResponseAsync()).Status);
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task Failed_async_work_is_a_500()
    {
        await using var server = await TestServer.StartAsync(routes: TestRoutes.Add);
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await client.SendAsync("GET /test/async-fail HTTP/1.1\r\nHost: x\r\n\r\nGET /test/async-ok HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal(500, (await client.ReadResponseAsync()).Status);
        var ok = await client.ReadResponseAsync();
        Assert.Equal(200, ok.Status);
        Assert.Equal("async ok", ok.BodyText);
    }

    [Fact]
    public async Task Crash_storm_does_not_take_the_route_or_the_server_down()
    {
        await using var server = await TestServer.StartAsync("""
            actorhttp.supervision.max-restarts = 3
            actorhttp.supervision.restart-window = 10s
            actorhttp.supervision.recovery-delay = 3s
            """);

        // Many clients crash the route at once; each gets an answer, none hangs.
        var storm = Enumerable.Range(0, 40).Select(async _ =>
        {
            await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
            await client.SendAsync("GET /crash HTTP/1.1\r\nHost: x\r\n\r\n");
            return await client.ReadResponseAsync();
        }).ToList();
        var statuses = (await Task.WhenAll(storm)).Select(r => r.Status).ToList();

        Assert.All(statuses, status => Assert.Contains(status, new[] { 500, 503 }));
        Assert.Contains(500, statuses);

        // The storm tripped the route: it sheds load with 503 and says when to retry.
        await using var probe = await RawHttpClient.ConnectAsync(server.Endpoint);
        await probe.SendAsync("GET /crash HTTP/1.1\r\nHost: x\r\n\r\n");
        var shed = await probe.ReadResponseAsync();
        Assert.Equal(503, shed.Status);
        Assert.Equal("3", shed.Header("Retry-After"));

        await using var other = await RawHttpClient.ConnectAsync(server.Endpoint);
        await other.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await other.ReadResponseAsync()).Status);

        // After recovery-delay a fresh handler serves the route again: a crash is a 500, not a 503.
        var recovered = false;
        for (var attempt = 0; attempt < 50 && !recovered; attempt++)
        {
            await Task.Delay(200);
            await other.SendAsync("GET /crash HTTP/1.1\r\nHost: x\r\n\r\n");
            var response = await other.ReadResponseAsync();
            recovered = response.Status == 500;
            if (!recovered)
            {
                Assert.Equal(503, response.Status);
                Assert.NotNull(response.Header("Retry-After"));
            }
        }

        Assert.True(recovered, "the /crash route never recovered from the storm");
    }
}
