using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.EndToEnd;

/// <summary>
/// A crashing handler costs one 500; the connection, other requests and the route live on, whoever
/// sends the crashes and however many; only a route whose handler cannot start answers 503.
/// </summary>
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
    public async Task Crash_flood_from_one_client_leaves_the_route_serving_everybody_else()
    {
        await using var server = await TestServer.StartAsync();
        using var flooding = new CancellationTokenSource();

        // The attacker: four connections, each sending /crash in pipelined bursts of eight. Every
        // crash must be a 500 that keeps the connection open, and the connection must still serve.
        var attackers = Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
            var crashes = 0;
            while (crashes < 100 || !flooding.IsCancellationRequested)
            {
                await client.SendAsync(string.Concat(Enumerable.Repeat("GET /crash HTTP/1.1\r\nHost: x\r\n\r\n", 8)));
                for (var i = 0; i < 8; i++)
                {
                    var crash = await client.ReadResponseAsync();
                    Assert.Equal(500, crash.Status);
                    Assert.False(crash.SaysClose);
                }

                crashes += 8;
            }

            await client.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.Equal(200, (await client.ReadResponseAsync()).Status);
            return crashes;
        }).ToList();

        // Everybody else, on their own connections, meanwhile: the same route without crashing, and another route.
        var others = Enumerable.Range(0, 2).Select(async _ =>
        {
            await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
            for (var i = 0; i < 50; i++)
            {
                await client.SendAsync("GET /crash?fail=0 HTTP/1.1\r\nHost: x\r\n\r\n");
                var same = await client.ReadResponseAsync();
                Assert.Equal((200, "Not crashing this time.\n"), (same.Status, same.BodyText));
                await client.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
                Assert.Equal(200, (await client.ReadResponseAsync()).Status);
            }
        }).ToList();

        try
        {
            await Task.WhenAll(others);
        }
        finally
        {
            flooding.Cancel();
        }

        var crashes = await Task.WhenAll(attackers);

        Assert.True(crashes.Sum() >= 400, $"only {crashes.Sum()} crashes");
    }

    [Fact]
    public async Task Route_whose_handler_cannot_start_answers_503_with_Retry_After()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);

        await client.SendAsync("GET /unavailable HTTP/1.1\r\nHost: x\r\n\r\n");
        var unavailable = await client.ReadResponseAsync();

        Assert.Equal(503, unavailable.Status);
        Assert.NotNull(unavailable.Header("Retry-After"));
        Assert.False(unavailable.SaysClose);
        await client.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
    }
}
