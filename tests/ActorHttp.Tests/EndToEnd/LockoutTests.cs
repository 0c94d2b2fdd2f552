using System.Diagnostics;
using System.Net.Sockets;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.EndToEnd;

/// <summary>
/// No client may lock others out (issue 10): every state a connection can be in ends, by a deadline,
/// a minimum rate or a limit, and one client's bad behaviour costs that client only. One test per
/// attack, end to end over real sockets with short configured rates and limits of tens.
/// </summary>
public sealed class LockoutTests : IDisposable
{
    private const string FastRates = """
        actorhttp.server.idle-timeout = 30s
        actorhttp.server.request-header-timeout = 30s
        actorhttp.server.min-request-body-rate = 100
        actorhttp.server.min-request-body-rate-grace = 500ms
        actorhttp.server.min-response-data-rate = 1000
        actorhttp.server.min-response-data-rate-grace = 500ms
        """;

    private readonly string _site = Directory.CreateTempSubdirectory("actorhttp-lockout-").FullName;

    public LockoutTests()
    {
        // Incompressible and over static-files.chunk-size: streamed in chunks, as a big download is.
        var bytes = new byte[256 * 1024];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(Path.Combine(_site, "big.bin"), bytes);
    }

    public void Dispose() => Directory.Delete(_site, recursive: true);

    [Fact]
    public async Task A_body_trickled_below_the_minimum_rate_gets_408_and_the_connection_closes()
    {
        await using var server = await TestServer.StartAsync(FastRates);
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
        using var trickle = new CancellationTokenSource();
        var trickling = TrickleAsync(client, trickle.Token);

        // Each byte comes well within idle-timeout (30 s): only the rate can end this.
        var response = await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(5));
        await trickle.CancelAsync();
        await trickling;

        Assert.Equal(408, response.Status);
        Assert.True(response.SaysClose);
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task A_body_above_the_minimum_rate_is_served_however_long_it_takes()
    {
        await using var server = await TestServer.StartAsync(FastRates);
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n");
        for (var i = 0; i < 10; i++)
        {
            // 300 bytes every 250 ms: 1,200 bytes/s for two and a half seconds, five times the grace.
            // Each piece pays for three seconds at the minimum rate, so a test thread delayed by a
            // busy machine (seen: over a second, at a load average of 15) is not mistaken for a
            // slow client.
            await client.SendAsync(new string('b', 300));
            await Task.Delay(250);
        }

        var response = await client.ReadResponseAsync();

        Assert.Equal(200, response.Status);
        Assert.Contains(Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(new string('b', 3000))), response.BodyText);
    }

    [Fact]
    public async Task Slow_body_sockets_at_the_connection_limit_are_closed_and_new_clients_served()
    {
        await using var server = await TestServer.StartAsync(FastRates + "\nactorhttp.server.max-connections = 10");
        var attackers = new List<RawHttpClient>();
        using var trickle = new CancellationTokenSource();
        var trickling = new List<Task>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                var attacker = await RawHttpClient.ConnectAsync(server.Endpoint);
                attackers.Add(attacker);
                await attacker.SendAsync("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
                trickling.Add(TrickleAsync(attacker, trickle.Token));
            }

            foreach (var attacker in attackers)
            {
                Assert.Equal(408, (await attacker.ReadResponseAsync(timeout: TimeSpan.FromSeconds(5))).Status);
                Assert.True(await attacker.IsClosedByServerAsync());
            }

            Assert.Equal(200, await HelloOnANewConnectionAsync(server.Endpoint));
        }
        finally
        {
            await trickle.CancelAsync();
            await Task.WhenAll(trickling);
            foreach (var attacker in attackers)
            {
                await attacker.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Idle_keep_alive_connections_at_the_limit_make_room_longest_idle_first()
    {
        await using var server = await TestServer.StartAsync("actorhttp.server.max-connections = 5");
        var idle = new List<RawHttpClient>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                var client = await RawHttpClient.ConnectAsync(server.Endpoint);
                idle.Add(client);
                await client.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
                Assert.Equal(200, (await client.ReadResponseAsync()).Status);
                await Task.Delay(20);
            }

            // Five newcomers, each staying open: each takes the place of the longest-idle
            // connection, in order (a newcomer, idle since later, is never chosen before them).
            for (var i = 0; i < 5; i++)
            {
                var newcomer = await RawHttpClient.ConnectAsync(server.Endpoint);
                idle.Add(newcomer);
                await newcomer.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
                Assert.Equal(200, (await newcomer.ReadResponseAsync()).Status);
                Assert.True(await idle[i].IsClosedByServerAsync());
                await Task.Delay(20);
            }
        }
        finally
        {
            foreach (var client in idle)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task At_the_limit_an_eighth_of_the_idle_connections_make_room_at_once_as_nginx_does()
    {
        await using var server = await TestServer.StartAsync("actorhttp.server.max-connections = 16");
        var idle = new List<RawHttpClient>();
        try
        {
            for (var i = 0; i < 16; i++)
            {
                var client = await RawHttpClient.ConnectAsync(server.Endpoint);
                idle.Add(client);
                await client.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
                Assert.Equal(200, (await client.ReadResponseAsync()).Status);
                await Task.Delay(10);
            }

            // 16 idle: 16 / 8 = 2 close for the first newcomer, and the second finds room already.
            await using var first = await RawHttpClient.ConnectAsync(server.Endpoint);
            await first.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.Equal(200, (await first.ReadResponseAsync()).Status);
            Assert.True(await idle[0].IsClosedByServerAsync());
            Assert.True(await idle[1].IsClosedByServerAsync());
            await using var second = await RawHttpClient.ConnectAsync(server.Endpoint);
            await second.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.Equal(200, (await second.ReadResponseAsync()).Status);

            foreach (var stillOpen in idle.Skip(2))
            {
                await stillOpen.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
                Assert.Equal(200, (await stillOpen.ReadResponseAsync()).Status);
            }
        }
        finally
        {
            foreach (var client in idle)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_reclaimed_connection_is_the_longest_idle_and_the_others_keep_working()
    {
        await using var server = await TestServer.StartAsync("actorhttp.server.max-connections = 3");
        await using var oldest = await RawHttpClient.ConnectAsync(server.Endpoint);
        await using var busy = await RawHttpClient.ConnectAsync(server.Endpoint);
        await using var recent = await RawHttpClient.ConnectAsync(server.Endpoint);
        await oldest.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await oldest.ReadResponseAsync()).Status);
        await Task.Delay(50);
        await recent.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await recent.ReadResponseAsync()).Status);
        await busy.SendAsync("GET /slow?ms=800 HTTP/1.1\r\nHost: x\r\n\r\n");
        await Task.Delay(100);

        Assert.Equal(200, await HelloOnANewConnectionAsync(server.Endpoint));

        Assert.True(await oldest.IsClosedByServerAsync());
        Assert.Equal(200, (await busy.ReadResponseAsync()).Status);
        await recent.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await recent.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task A_client_over_max_connections_per_client_gets_503_with_retry_after()
    {
        await using var server = await TestServer.StartAsync("actorhttp.server.max-connections-per-client = 2");
        await using var first = await RawHttpClient.ConnectAsync(server.Endpoint);
        await using (var second = await RawHttpClient.ConnectAsync(server.Endpoint))
        {
            await using var third = await RawHttpClient.ConnectAsync(server.Endpoint);
            var refused = await third.ReadResponseAsync();

            Assert.Equal(503, refused.Status);
            Assert.Equal("1", refused.Header("Retry-After"));
            Assert.True(refused.SaysClose);
            Assert.True(await third.IsClosedByServerAsync());
            await second.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.Equal(200, (await second.ReadResponseAsync()).Status);
        }

        // The second's place is free once the server has seen it close.
        var served = false;
        for (var attempt = 0; attempt < 100 && !served; attempt++)
        {
            served = await HelloOnANewConnectionAsync(server.Endpoint) == 200;
            if (!served)
            {
                await Task.Delay(50);
            }
        }

        Assert.True(served);
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_closed_by_the_minimum_response_rate()
    {
        await using var server = await TestServer.StartAsync(FastRates + $"\nactorhttp.static-files.root = \"{_site}\"");
        using var socket = await ConnectWithSmallReceiveBufferAsync(server.Endpoint);
        var requests = string.Concat(Enumerable.Repeat("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n", 40));
        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(requests));

        // 40 × 256 KiB answers are more than the socket buffers on both sides hold: the server's
        // sends stall, and the client acknowledges nothing for far longer than the grace.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var (received, ended) = await ReadUntilClosedAsync(socket, TimeSpan.FromSeconds(5));

        Assert.True(ended, "the server kept the connection of a client that stopped reading");
        Assert.True(received < 40L * 256 * 1024, $"all {received} bytes were sent: the client was never cut off");
    }

    [Fact]
    public async Task A_slow_but_steady_reader_above_the_minimum_rate_is_kept()
    {
        await using var server = await TestServer.StartAsync(FastRates + $"\nactorhttp.static-files.root = \"{_site}\"");
        using var socket = await ConnectWithSmallReceiveBufferAsync(server.Endpoint);
        await socket.SendAsync("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        var buffer = new byte[4096];
        var received = 0L;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(3))
        {
            // 4 KiB every 250 ms: 16 KiB/s, far above 1000 bytes/s, far below what the server could send.
            await Task.Delay(250);
            var count = await socket.ReceiveAsync(buffer);
            Assert.True(count > 0, "the server closed a client that was reading above the minimum rate");
            received += count;
        }

        using var client = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (received < 256 * 1024)
        {
            var count = await socket.ReceiveAsync(buffer, client.Token);
            Assert.True(count > 0, "the server closed the connection before the whole answer was read");
            received += count;
        }

        Assert.True(received > 256 * 1024);
    }

    [Fact]
    public async Task Draining_answers_every_request_that_reached_the_server_with_connection_close()
    {
        // With a pipelining limit of 1 the second request waits unparsed while the first runs:
        // draining must still read and answer it, not drop it with an end of stream.
        var server = await TestServer.StartAsync("actorhttp.server.pipelining-limit = 1");
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await using var idle = await RawHttpClient.ConnectAsync(server.Endpoint);
        await idle.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await idle.ReadResponseAsync()).Status);
        await client.SendAsync("GET /slow?ms=600 HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        await Task.Delay(200);

        var stopping = server.DisposeAsync().AsTask();

        Assert.True(await idle.IsClosedByServerAsync(TimeSpan.FromSeconds(2)), "an idle keep-alive connection must close at once on drain");
        var first = await client.ReadResponseAsync();
        var second = await client.ReadResponseAsync();
        Assert.Equal(200, first.Status);
        Assert.Equal(200, second.Status);
        Assert.Equal("Hello, World!", second.BodyText);
        Assert.True(second.SaysClose);
        Assert.True(await client.IsClosedByServerAsync());
        await stopping;
    }

    private static async Task TrickleAsync(RawHttpClient client, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await client.SendAsync("a");
                await Task.Delay(200, stop);
            }
        }
        catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped by the test, or the server closed on us: both expected.
        }
    }

    private static async Task<int> HelloOnANewConnectionAsync(System.Net.IPEndPoint endpoint)
    {
        await using var client = await RawHttpClient.ConnectAsync(endpoint);
        await client.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        return (await client.ReadResponseAsync()).Status;
    }

    private static async Task<Socket> ConnectWithSmallReceiveBufferAsync(System.Net.IPEndPoint endpoint)
    {
        // Set before connecting, so the window the client advertises is small from the start.
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, endpoint.Port));
        return socket;
    }

    private static async Task<(long Received, bool Ended)> ReadUntilClosedAsync(Socket socket, TimeSpan within)
    {
        using var deadline = new CancellationTokenSource(within);
        var buffer = new byte[64 * 1024];
        var received = 0L;
        try
        {
            while (true)
            {
                var count = await socket.ReceiveAsync(buffer, deadline.Token);
                if (count == 0)
                {
                    return (received, true);
                }

                received += count;
            }
        }
        catch (SocketException)
        {
            return (received, true);
        }
        catch (OperationCanceledException)
        {
            return (received, false);
        }
    }
}
