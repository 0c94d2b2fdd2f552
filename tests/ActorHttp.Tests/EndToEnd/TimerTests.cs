using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.EndToEnd;

/// <summary>The connection's timers, end to end with short configured timeouts.</summary>
public sealed class TimerTests
{
    [Fact]
    public async Task Idle_keep_alive_connection_gets_408_and_is_closed()
    {
        await using var server = await TestServer.StartAsync("actorhttp.server.idle-timeout = 300ms");
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await client.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);

        var timeout = await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(3));

        Assert.Equal(408, timeout.Status);
        Assert.True(timeout.SaysClose);
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Idle_response_close_closes_without_a_response()
    {
        await using var server = await TestServer.StartAsync("""
            actorhttp.server.idle-timeout = 300ms
            actorhttp.server.idle-response = close
            """);
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);

        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task Idle_timer_does_not_fire_while_requests_keep_coming()
    {
        // The requests span well past the timeout (5 x 700 ms against 2 s), so only a timer that
        // restarts with each request keeps the connection; each gap leaves 1.3 s of slack for a
        // busy machine.
        await using var server = await TestServer.StartAsync("actorhttp.server.idle-timeout = 2s");
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(700);
            await client.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        }
    }

    [Fact]
    public async Task Headers_trickling_past_the_deadline_get_408()
    {
        // Slowloris: each byte arrives well within idle-timeout, but the head as a whole is late.
        await using var server = await TestServer.StartAsync("""
            actorhttp.server.request-header-timeout = 600ms
            actorhttp.server.idle-timeout = 5s
            """);
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        var started = DateTime.UtcNow;
        var head = "GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: ";
        await client.SendAsync(head);
        var trickle = Task.Run(async () =>
        {
            try
            {
                for (var i = 0; i < 40; i++)
                {
                    await Task.Delay(100);
                    await client.SendAsync("a");
                }
            }
            catch (System.Net.Sockets.SocketException)
            {
                // The server closed on us: what the test expects.
            }
        });

        var response = await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(3));

        Assert.Equal(408, response.Status);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2.5));
        Assert.True(await client.IsClosedByServerAsync());
        await trickle;
    }

    [Fact]
    public async Task Handler_that_does_not_answer_gets_503_and_the_connection_lives_on()
    {
        await using var server = await TestServer.StartAsync("actorhttp.server.handler-timeout = 300ms", TestRoutes.Add);
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await client.SendAsync("GET /test/never HTTP/1.1\r\nHost: x\r\n\r\n");

        var response = await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(3));

        Assert.Equal(503, response.Status);
        Assert.False(response.SaysClose);
        await client.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task Late_answer_after_the_handler_timeout_is_dropped()
    {
        await using var server = await TestServer.StartAsync("actorhttp.server.handler-timeout = 200ms");
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await client.SendAsync("GET /slow?ms=500 HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(503, (await client.ReadResponseAsync()).Status);

        await Task.Delay(500);
        await client.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        var next = await client.ReadResponseAsync();

        Assert.Equal(200, next.Status);
        Assert.Equal("Hello, World!", next.BodyText);
    }
}
