using System.Diagnostics;
using System.Net.Sockets;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Models;

/// <summary>
/// What every concurrency model must do alike, over real sockets: the same statuses, limits,
/// timeouts and drain as the actor model. Each model's class adds what differs: how it meets
/// <c>handler-timeout</c> and what a blocking handler does to it.
/// </summary>
public abstract class ModelServerTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : ModelServerFixture
{
    protected const string Hello = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";

    protected TFixture Fixture { get; } = fixture;

    [Fact]
    public async Task A_get_is_answered_and_the_connection_is_kept_for_more()
    {
        await using var client = await RawHttpClient.ConnectAsync(Fixture.Server.Endpoint);
        for (var i = 0; i < 3; i++)
        {
            await client.SendAsync(Hello);
            var response = await client.ReadResponseAsync();

            Assert.Equal(200, response.Status);
            Assert.Equal("Hello, World!", response.BodyText);
            Assert.False(response.SaysClose);
        }
    }

    [Fact]
    public async Task Pipelined_requests_are_answered_in_request_order()
    {
        // The first takes longest: where handlers run at once, the later ones finish first.
        await using var client = await RawHttpClient.ConnectAsync(Fixture.Server.Endpoint);
        await client.SendAsync(string.Concat(Enumerable.Range(0, 5).Select(i => $"GET /slow?ms={(4 - i) * 50}&id={i} HTTP/1.1\r\nHost: x\r\n\r\n")));

        for (var i = 0; i < 5; i++)
        {
            var response = await client.ReadResponseAsync();

            Assert.Equal(200, response.Status);
            Assert.Equal($"ms={(4 - i) * 50}&id={i}", response.BodyText);
        }
    }

    [Theory]
    [InlineData("/crash")]
    [InlineData("/crash?async=1")]
    public async Task A_crashing_handler_costs_one_500_and_the_connection_serves_the_next_request(string target)
    {
        await using var client = await RawHttpClient.ConnectAsync(Fixture.Server.Endpoint);
        await client.SendAsync($"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");

        var crashed = await client.ReadResponseAsync();

        Assert.Equal(500, crashed.Status);
        Assert.False(crashed.SaysClose);
        await client.SendAsync(Hello);
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task An_idle_keep_alive_connection_gets_408_then_is_closed()
    {
        await using var server = await ModelServerFixture.StartAsync(Fixture.Model, "actorhttp.server.idle-timeout = 1s");
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await client.SendAsync(Hello);
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        var idleSince = Stopwatch.GetTimestamp();

        var timeout = await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(5));

        Assert.Equal(408, timeout.Status);
        Assert.True(timeout.SaysClose);
        Assert.InRange(Stopwatch.GetElapsedTime(idleSince), TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(4));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task A_head_trickling_past_the_header_deadline_gets_408()
    {
        // Slowloris: each byte comes well within idle-timeout, the head as a whole too late.
        await using var server = await ModelServerFixture.StartAsync(Fixture.Model, "actorhttp.server.request-header-timeout = 1s");
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        var started = Stopwatch.GetTimestamp();
        await client.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: ");
        using var stop = new CancellationTokenSource();
        var trickle = Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await Task.Delay(150, stop.Token);
                    await client.SendAsync("a");
                }
            }
            catch (Exception error) when (error is SocketException or OperationCanceledException)
            {
                // The server closed on us, or the test is over.
            }
        });

        var response = await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(5));
        await stop.CancelAsync();
        await trickle;

        Assert.Equal(408, response.Status);
        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(4));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task The_counter_is_exact_after_concurrent_requests_from_several_connections()
    {
        const int Connections = 4;
        const int RequestsEach = 25;
        var before = await CountAsync();

        await Task.WhenAll(Enumerable.Range(0, Connections).Select(async _ =>
        {
            await using var client = await RawHttpClient.ConnectAsync(Fixture.Server.Endpoint);
            for (var i = 0; i < RequestsEach; i++)
            {
                await client.SendAsync("GET /count HTTP/1.1\r\nHost: x\r\n\r\n");
                Assert.Equal(200, (await client.ReadResponseAsync()).Status);
            }
        }));

        Assert.Equal(before + (Connections * RequestsEach) + 1, await CountAsync());
    }

    [Fact]
    public async Task A_streamed_answer_arrives_whole_at_the_clients_pace()
    {
        const int Size = 300_000;
        await using var client = await RawHttpClient.ConnectAsync(Fixture.Server.Endpoint);
        await client.SendAsync($"GET /stream?size={Size} HTTP/1.1\r\nHost: x\r\n\r\n");

        var response = await client.ReadResponseAsync();

        Assert.Equal(200, response.Status);
        Assert.Equal(Size.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Header("Content-Length"));
        Assert.Equal(ModelTestRoutes.StreamBody(Size), response.Body);
        await client.SendAsync(Hello);
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task A_streamed_answer_whose_source_fails_midway_is_cut_short_and_the_connection_closed()
    {
        await using var client = await RawHttpClient.ConnectAsync(Fixture.Server.Endpoint);
        await client.SendAsync("GET /stream?size=300000&fail=1 HTTP/1.1\r\nHost: x\r\n\r\n");

        var error = await Assert.ThrowsAsync<IOException>(() => client.ReadResponseAsync());

        Assert.Contains("closed after 150000 of 300000 body bytes", error.Message);
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_cut_off_by_the_minimum_response_rate()
    {
        // Far more than the socket buffers of both ends hold: the send stalls until the client reads.
        const int Size = 32 * 1024 * 1024;
        await using var server = await ModelServerFixture.StartAsync(Fixture.Model, """
            actorhttp.server.min-response-data-rate = 100000
            actorhttp.server.min-response-data-rate-grace = 500ms
            """);
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await client.SendAsync($"GET /stream?size={Size} HTTP/1.1\r\nHost: x\r\n\r\n");

        // Long enough for the buffers to fill, the grace to pass and the check to run on a loaded machine.
        await Task.Delay(3000);

        // Had the server waited on, the whole body would now arrive; it reset the connection instead.
        var cutOff = await Assert.ThrowsAnyAsync<Exception>(() => client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(5)));
        Assert.True(cutOff is SocketException { SocketErrorCode: SocketError.ConnectionReset } or IOException, $"not cut off: {cutOff}");
    }

    [Fact]
    public async Task Past_max_connections_a_newcomer_gets_503_with_retry_after()
    {
        await using var server = await ModelServerFixture.StartAsync(Fixture.Model, "actorhttp.server.max-connections = 2");
        await using var first = await RawHttpClient.ConnectAsync(server.Endpoint);
        await using var second = await RawHttpClient.ConnectAsync(server.Endpoint);
        foreach (var client in new[] { first, second })
        {
            await client.SendAsync(Hello);
            Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        }

        await using var third = await RawHttpClient.ConnectAsync(server.Endpoint);
        var refused = await third.ReadResponseAsync();

        Assert.Equal(503, refused.Status);
        Assert.Equal("1", refused.Header("Retry-After"));
        Assert.True(refused.SaysClose);
        Assert.True(await third.IsClosedByServerAsync());
        await first.SendAsync(Hello);
        Assert.Equal(200, (await first.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task Stopping_answers_the_request_in_flight_with_connection_close_and_closes_idle_connections()
    {
        // Long timeouts: on a loaded machine the stop may reach the connections late, and neither the
        // idle connection nor the request in flight may be timed out first.
        var server = await ModelServerFixture.StartAsync(Fixture.Model, """
            actorhttp.server.handler-timeout = 10s
            actorhttp.server.idle-timeout = 10s
            """);
        try
        {
            await using var busy = await RawHttpClient.ConnectAsync(server.Endpoint);
            await using var idle = await RawHttpClient.ConnectAsync(server.Endpoint);
            await idle.SendAsync(Hello);
            Assert.Equal(200, (await idle.ReadResponseAsync()).Status);
            await busy.SendAsync("GET /slow?ms=1500 HTTP/1.1\r\nHost: x\r\n\r\n");
            await Task.Delay(150);

            var stopping = server.StopAsync();

            var response = await busy.ReadResponseAsync();
            Assert.Equal(200, response.Status);
            Assert.True(response.SaysClose, "the last answer of a draining connection announces the close");
            Assert.True(await busy.IsClosedByServerAsync());
            Assert.True(await idle.IsClosedByServerAsync(), "an idle connection is closed at once");
            await stopping.WaitAsync(TimeSpan.FromSeconds(10));
            await Assert.ThrowsAnyAsync<SocketException>(() => RawHttpClient.ConnectAsync(server.Endpoint));
        }
        finally
        {
            server.Host.Dispose();
        }
    }

    [Fact]
    public async Task Stopping_closes_what_is_still_open_after_the_shutdown_timeout()
    {
        // No handler-timeout answer may come first: the connection must end closed, with no word.
        var server = await ModelServerFixture.StartAsync(Fixture.Model, """
            actorhttp.server.shutdown-timeout = 300ms
            actorhttp.server.handler-timeout = 10s
            """);
        try
        {
            await using var busy = await RawHttpClient.ConnectAsync(server.Endpoint);
            await busy.SendAsync("GET /slow?ms=4000 HTTP/1.1\r\nHost: x\r\n\r\n");
            await Task.Delay(150);
            var started = Stopwatch.GetTimestamp();

            await server.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));

            Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(2));
            Assert.True(await busy.IsClosedByServerAsync());
        }
        finally
        {
            server.Host.Dispose();
        }
    }

    /// <summary>Sends <paramref name="target"/> on a new connection, returning the status and how long the answer took.</summary>
    protected async Task<(int Status, TimeSpan Took)> TimedGetAsync(string target)
    {
        await using var client = await RawHttpClient.ConnectAsync(Fixture.Server.Endpoint);
        var started = Stopwatch.GetTimestamp();
        await client.SendAsync($"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
        var response = await client.ReadResponseAsync();
        return (response.Status, Stopwatch.GetElapsedTime(started));
    }

    private async Task<long> CountAsync()
    {
        await using var client = await RawHttpClient.ConnectAsync(Fixture.Server.Endpoint);
        await client.SendAsync("GET /count HTTP/1.1\r\nHost: x\r\n\r\n");
        return long.Parse((await client.ReadResponseAsync()).BodyText, System.Globalization.CultureInfo.InvariantCulture);
    }
}
