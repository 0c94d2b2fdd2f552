using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.EndToEnd;

/// <summary>Connection limit and graceful shutdown.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task Busy_connections_at_the_limit_are_not_reclaimed_and_a_newcomer_gets_503()
    {
        await using var server = await TestServer.StartAsync("actorhttp.server.max-connections = 2");
        await using var first = await RawHttpClient.ConnectAsync(server.Endpoint);
        await using var second = await RawHttpClient.ConnectAsync(server.Endpoint);
        await first.SendAsync("GET /slow?ms=1500 HTTP/1.1\r\nHost: x\r\n\r\n");
        await second.SendAsync("GET /slow?ms=1500 HTTP/1.1\r\nHost: x\r\n\r\n");
        await Task.Delay(300);

        await using var third = await RawHttpClient.ConnectAsync(server.Endpoint);
        var refused = await third.ReadResponseAsync();

        Assert.Equal(503, refused.Status);
        Assert.Equal("1", refused.Header("Retry-After"));
        Assert.True(refused.SaysClose);
        Assert.True(await third.IsClosedByServerAsync());
        Assert.Equal(200, (await first.ReadResponseAsync()).Status);
        Assert.Equal(200, (await second.ReadResponseAsync()).Status);
        await first.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await first.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task A_closed_connection_frees_its_place()
    {
        await using var server = await TestServer.StartAsync("actorhttp.server.max-connections = 1");
        await using (var first = await RawHttpClient.ConnectAsync(server.Endpoint))
        {
            await first.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            Assert.Equal(200, (await first.ReadResponseAsync()).Status);
            Assert.True(await first.IsClosedByServerAsync());
        }

        var served = false;
        for (var attempt = 0; attempt < 100 && !served; attempt++)
        {
            await using var next = await RawHttpClient.ConnectAsync(server.Endpoint);
            await next.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
            served = (await next.ReadResponseAsync()).Status == 200;
            if (!served)
            {
                await Task.Delay(50);
            }
        }

        Assert.True(served);
    }

    [Fact]
    public async Task Graceful_shutdown_finishes_requests_in_flight_and_refuses_new_connections()
    {
        var server = await TestServer.StartAsync();
        await using var busy = await RawHttpClient.ConnectAsync(server.Endpoint);
        await using var idle = await RawHttpClient.ConnectAsync(server.Endpoint);
        // Long enough that the drain reaches the connection first even on a loaded machine.
        await busy.SendAsync("GET /slow?ms=1500 HTTP/1.1\r\nHost: x\r\n\r\n");
        await Task.Delay(100);

        var stopping = server.StopAsync();

        var response = await busy.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.True(response.SaysClose, "the last answer of a draining connection announces the close");
        Assert.True(await busy.IsClosedByServerAsync());
        Assert.True(await idle.IsClosedByServerAsync(), "an idle connection is closed at once");
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => RawHttpClient.ConnectAsync(server.Endpoint));
        server.Host.Dispose();
    }

    [Fact]
    public async Task Shutdown_does_not_wait_past_the_shutdown_timeout()
    {
        var server = await TestServer.StartAsync("actorhttp.server.shutdown-timeout = 500ms");
        await using var busy = await RawHttpClient.ConnectAsync(server.Endpoint);
        await busy.SendAsync("GET /slow?ms=20000 HTTP/1.1\r\nHost: x\r\n\r\n");
        await Task.Delay(100);
        var started = DateTime.UtcNow;

        await server.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
        Assert.True(await busy.IsClosedByServerAsync());
        server.Host.Dispose();
    }

    [Fact]
    public async Task A_streaming_handler_is_told_when_the_client_goes_away()
    {
        PacedStreamingHandler.Aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TestServer.StartAsync(routes: TestRoutes.Add);
        var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        // Far more than any socket buffer holds: the stream can only finish if the client reads.
        await client.SendAsync("GET /test/paced-stream?n=100000&size=65536 HTTP/1.1\r\nHost: x\r\n\r\n");
        await Task.Delay(200);

        await client.DisposeAsync();

        var sequence = await PacedStreamingHandler.Aborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, sequence);
    }
}
