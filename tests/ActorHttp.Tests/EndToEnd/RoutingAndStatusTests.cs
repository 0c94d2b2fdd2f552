using System.Text.Json;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.EndToEnd;

/// <summary>Demo routes, routing statuses and the writer's framing rules, over real sockets.</summary>
public sealed class RoutingAndStatusTests(DefaultServerFixture fixture) : IClassFixture<DefaultServerFixture>
{
    private async Task<(RawResponse Response, RawHttpClient Client)> SendAsync(string request, bool head = false)
    {
        var client = await RawHttpClient.ConnectAsync(fixture.Server.Endpoint);
        await client.SendAsync(request);
        return (await client.ReadResponseAsync(head), client);
    }

    [Fact]
    public async Task Hello_is_plain_text_with_date_and_server()
    {
        var (response, client) = await SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        await using var _ = client;

        Assert.Equal(200, response.Status);
        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        Assert.Equal("Hello, World!", response.BodyText);
        Assert.Equal("text/plain; charset=utf-8", response.Header("Content-Type"));
        Assert.Equal("13", response.Header("Content-Length"));
        Assert.Equal("ActorHttp", response.Header("Server"));
        Assert.True(DateTimeOffset.TryParse(response.Header("Date"), out var date));
        Assert.InRange(date, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Null(response.Header("Connection"));
    }

    [Fact]
    public async Task Json_route_serializes_the_message()
    {
        var (response, client) = await SendAsync("GET /json HTTP/1.1\r\nHost: x\r\n\r\n");
        await using var _ = client;

        Assert.Equal(200, response.Status);
        Assert.Equal("application/json", response.Header("Content-Type"));
        Assert.Equal("""{"message":"Hello, World!"}""", response.BodyText);
    }

    [Fact]
    public async Task Index_page_names_the_routes()
    {
        var (response, client) = await SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        await using var _ = client;

        Assert.Equal(200, response.Status);
        Assert.StartsWith("text/html", response.Header("Content-Type"));
        foreach (var route in new[] { "/hello", "/json", "/echo", "/crash", "/slow" })
        {
            Assert.Contains(route, response.BodyText);
        }
    }

    [Fact]
    public async Task Unknown_path_is_404()
    {
        var (response, client) = await SendAsync("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n");
        await using var _ = client;
        Assert.Equal(404, response.Status);
    }

    [Fact]
    public async Task Wrong_method_is_405_with_allow()
    {
        var (response, client) = await SendAsync("POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        await using var _ = client;

        Assert.Equal(405, response.Status);
        Assert.Equal("GET, HEAD, OPTIONS", response.Header("Allow"));
    }

    [Fact]
    public async Task Options_answers_allow()
    {
        var (response, client) = await SendAsync("OPTIONS /test/users/7 HTTP/1.1\r\nHost: x\r\n\r\n");
        await using var _ = client;

        Assert.Equal(204, response.Status);
        Assert.Equal("GET, HEAD, OPTIONS, PUT", response.Header("Allow"));
    }

    [Fact]
    public async Task Options_star_lists_what_the_server_serves()
    {
        var (response, client) = await SendAsync("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
        await using var _ = client;

        Assert.Equal(204, response.Status);
        var allowed = response.Header("Allow")!.Split(", ");
        Assert.Contains("GET", allowed);
        Assert.Contains("POST", allowed);
        Assert.Contains("DELETE", allowed);
    }

    [Fact]
    public async Task Head_is_served_by_get_without_a_body()
    {
        var (response, client) = await SendAsync("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n", head: true);
        await using var _ = client;

        Assert.Equal(200, response.Status);
        Assert.Equal("13", response.Header("Content-Length"));
        // The next response must start right away: any body bytes would corrupt it.
        await client.SendAsync("GET /json HTTP/1.1\r\nHost: x\r\n\r\n");
        var next = await client.ReadResponseAsync();
        Assert.Equal("""{"message":"Hello, World!"}""", next.BodyText);
    }

    [Fact]
    public async Task Route_templates_bind_values()
    {
        var (user, client) = await SendAsync("PUT /test/users/42 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        await using var _ = client;
        Assert.Equal("id=42", user.BodyText);

        await client.SendAsync("GET /test/files/a/b/c.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        var files = await client.ReadResponseAsync();
        Assert.Equal("rest=a/b/c.txt", files.BodyText);
    }

    [Fact]
    public async Task Http10_closes_unless_keep_alive_is_asked()
    {
        var (closing, client) = await SendAsync("GET /hello HTTP/1.0\r\n\r\n");
        await using (client)
        {
            Assert.Equal(200, closing.Status);
            Assert.True(closing.SaysClose);
            Assert.True(await client.IsClosedByServerAsync());
        }

        var (kept, second) = await SendAsync("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        await using (second)
        {
            Assert.Equal("keep-alive", kept.Header("Connection"));
            await second.SendAsync("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            Assert.Equal(200, (await second.ReadResponseAsync()).Status);
        }
    }

    [Fact]
    public async Task Connection_close_is_honoured()
    {
        var (response, client) = await SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        await using var _ = client;

        Assert.True(response.SaysClose);
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Streamed_body_is_chunked()
    {
        var (response, client) = await SendAsync("GET /test/stream?n=4 HTTP/1.1\r\nHost: x\r\n\r\n");
        await using var _ = client;

        Assert.Equal("chunked", response.Header("Transfer-Encoding"));
        Assert.Null(response.Header("Content-Length"));
        Assert.Equal("chunk-0\nchunk-1\nchunk-2\nchunk-3\n", response.BodyText);
        await client.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task Streamed_body_to_http10_is_close_delimited()
    {
        var (response, client) = await SendAsync("GET /test/stream?n=2 HTTP/1.0\r\n\r\n");
        await using var _ = client;

        Assert.Null(response.Header("Transfer-Encoding"));
        Assert.Equal("chunk-0\nchunk-1\n", response.BodyText);
    }

    [Fact]
    public async Task Header_with_crlf_from_a_handler_becomes_500()
    {
        var (response, client) = await SendAsync("GET /test/bad-header HTTP/1.1\r\nHost: x\r\n\r\n");
        await using var _ = client;

        Assert.Equal(500, response.Status);
        Assert.Null(response.Header("Set-Cookie"));
        Assert.Null(response.Header("X-Note"));
    }

    [Fact]
    public async Task Expect_100_continue_gets_an_interim_response_before_the_body()
    {
        await using var client = await RawHttpClient.ConnectAsync(fixture.Server.Endpoint);
        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");

        var interim = await client.ReadResponseAsync();
        Assert.Equal(100, interim.Status);

        await client.SendAsync("hello");
        var response = await client.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        using var echo = JsonDocument.Parse(response.Body);
        Assert.Equal(5, echo.RootElement.GetProperty("body_length").GetInt32());
    }

    [Fact]
    public async Task Body_over_the_limit_is_refused_before_it_is_sent()
    {
        await using var client = await RawHttpClient.ConnectAsync(fixture.Server.Endpoint);
        // Announces 31 MB but sends none of it: the answer must not wait for the body.
        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 31000000\r\n\r\n");

        var response = await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(3));

        Assert.Equal(413, response.Status);
        Assert.True(response.SaysClose);
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Slow_answers_after_the_delay()
    {
        var started = DateTime.UtcNow;
        var (response, client) = await SendAsync("GET /slow?ms=150 HTTP/1.1\r\nHost: x\r\n\r\n");
        await using var _ = client;

        Assert.Equal(200, response.Status);
        Assert.Contains("150 ms", response.BodyText);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(140));
    }

    [Fact]
    public async Task Slow_with_a_bad_delay_is_400()
    {
        var (response, client) = await SendAsync("GET /slow?ms=forever HTTP/1.1\r\nHost: x\r\n\r\n");
        await using var _ = client;
        Assert.Equal(400, response.Status);
    }

    [Fact]
    public async Task Large_body_round_trips_through_echo()
    {
        var payload = new byte[2 * 1024 * 1024];
        new Random(7).NextBytes(payload);
        await using var client = await RawHttpClient.ConnectAsync(fixture.Server.Endpoint);
        await client.SendAsync($"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: {payload.Length}\r\n\r\n");
        await client.SendAsync(payload);

        var response = await client.ReadResponseAsync();

        using var echo = JsonDocument.Parse(response.Body);
        Assert.Equal(payload, echo.RootElement.GetProperty("body_base64").GetBytesFromBase64());
    }

    [Fact]
    public async Task Counter_actor_counts_every_request_exactly()
    {
        await using var client = await RawHttpClient.ConnectAsync(fixture.Server.Endpoint);
        await client.SendAsync("GET /counter HTTP/1.1\r\nHost: x\r\n\r\n");
        using var first = JsonDocument.Parse((await client.ReadResponseAsync()).Body);
        var start = first.RootElement.GetProperty("count").GetInt64();

        await client.SendAsync(string.Concat(Enumerable.Repeat("GET /counter HTTP/1.1\r\nHost: x\r\n\r\n", 10)));
        long last = 0;
        for (var i = 0; i < 10; i++)
        {
            using var doc = JsonDocument.Parse((await client.ReadResponseAsync()).Body);
            last = doc.RootElement.GetProperty("count").GetInt64();
        }

        Assert.Equal(start + 10, last);
    }

    [Fact]
    public async Task Paced_stream_sends_every_chunk_in_order()
    {
        await using var client = await RawHttpClient.ConnectAsync(fixture.Server.Endpoint);
        await client.SendAsync("GET /test/paced-stream?n=40&size=50000 HTTP/1.1\r\nHost: x\r\n\r\n");

        var response = await client.ReadResponseAsync();

        Assert.Equal(40 * 50000, response.Body.Length);
        for (var i = 0; i < response.Body.Length; i += 997)
        {
            Assert.Equal((byte)(i % 251), response.Body[i]);
        }
    }
}
