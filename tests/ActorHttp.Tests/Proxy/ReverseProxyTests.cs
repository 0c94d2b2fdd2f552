using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ActorHttp.Hosting;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Proxy;

/// <summary>The reverse proxy end to end: a real upstream (another server, or a broken one) behind a real front.</summary>
public sealed class ReverseProxyTests : IAsyncLifetime
{
    private readonly string _uploads = Path.Combine(Path.GetTempPath(), "actorhttp-proxy-tests-" + Guid.NewGuid().ToString("N"));
    private ActorHttpServer _upstream = null!;
    private ActorHttpServer _front = null!;

    public async Task InitializeAsync()
    {
        _upstream = await TestServer.StartAsync($"actorhttp.uploads.folder = \"{_uploads}\"", routes: TestRoutes.Add);
        // The front buffers at most 100 kB: a larger body gets through only streamed.
        _front = await TestServer.StartAsync($$"""
            actorhttp.limits.max-body-bytes = 100000
            actorhttp.proxy.routes = [
              { prefix = "/store", upstream = "http://127.0.0.1:{{_upstream.Endpoint.Port}}/upload", timeout = 5s, max-body-bytes = 8000000 }
              { prefix = "/small", upstream = "http://127.0.0.1:{{_upstream.Endpoint.Port}}/upload", timeout = 5s }
              { prefix = "/up", upstream = "http://127.0.0.1:{{_upstream.Endpoint.Port}}/", timeout = 2s }
              { prefix = "/mirror", upstream = "http://127.0.0.1:{{_upstream.Endpoint.Port}}/echo", timeout = 2s }
              { prefix = "/sluggish", upstream = "http://127.0.0.1:{{_upstream.Endpoint.Port}}/slow?ms=3000", timeout = 300ms }
            ]
            """);
    }

    public async Task DisposeAsync()
    {
        await _front.DisposeAsync();
        await _upstream.DisposeAsync();
        if (Directory.Exists(_uploads))
        {
            Directory.Delete(_uploads, recursive: true);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_request_body_far_over_the_front_buffer_limit_is_streamed_upstream_intact(bool chunked)
    {
        var body = System.Security.Cryptography.RandomNumberGenerator.GetBytes(5_000_000);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_front.Endpoint.Port}") };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/store") { Content = new StreamContent(new MemoryStream(body)) };
        request.Headers.TransferEncodingChunked = chunked;
        if (!chunked)
        {
            request.Content.Headers.ContentLength = body.Length;
        }

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var stored = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(body.Length, stored.GetProperty("size").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body)), stored.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task A_request_body_over_the_route_limit_is_refused_with_413_before_it_is_forwarded()
    {
        await using var client = await RawHttpClient.ConnectAsync(_front.Endpoint);
        await client.SendAsync("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 100001\r\n\r\n");

        var response = await client.ReadResponseAsync();

        Assert.Equal(413, response.Status);
        Assert.False(Directory.Exists(_uploads) && Directory.GetFiles(_uploads).Length > 0);
    }

    [Fact]
    public async Task Request_reaches_the_upstream_with_forwarding_fields_and_without_hop_by_hop_ones()
    {
        await using var client = await RawHttpClient.ConnectAsync(_front.Endpoint);
        await client.SendAsync("PUT /mirror/a/b?x=1 HTTP/1.1\r\nHost: front.example\r\nConnection: keep-alive, X-Private\r\nX-Private: secret\r\nX-Kept: yes\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");

        var response = await client.ReadResponseAsync();

        Assert.Equal(200, response.Status);
        using var echo = JsonDocument.Parse(response.Body);
        var root = echo.RootElement;
        Assert.Equal("PUT", root.GetProperty("method").GetString());
        Assert.Equal("/echo/a/b", root.GetProperty("path").GetString());
        Assert.Equal("x=1", root.GetProperty("query").GetString());
        Assert.Equal("hello", Encoding.ASCII.GetString(root.GetProperty("body_base64").GetBytesFromBase64()));
        var headers = root.GetProperty("headers").EnumerateArray().ToDictionary(h => h[0].GetString()!, h => h[1].GetString(), StringComparer.OrdinalIgnoreCase);
        Assert.Equal($"127.0.0.1:{_upstream.Endpoint.Port}", headers["Host"]);
        Assert.Equal("127.0.0.1", headers["X-Forwarded-For"]);
        Assert.Equal("http", headers["X-Forwarded-Proto"]);
        Assert.Equal("front.example", headers["X-Forwarded-Host"]);
        Assert.Equal("yes", headers["X-Kept"]);
        Assert.False(headers.ContainsKey("X-Private"));
        Assert.DoesNotContain("secret", response.BodyText);
    }

    [Fact]
    public async Task Upstream_statuses_pass_through_and_the_connection_lives_on()
    {
        await using var client = await RawHttpClient.ConnectAsync(_front.Endpoint);
        await client.SendAsync("GET /up/nowhere HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(404, (await client.ReadResponseAsync()).Status);

        await client.SendAsync("GET /up/hello HTTP/1.1\r\nHost: x\r\n\r\n");
        var hello = await client.ReadResponseAsync();
        Assert.Equal(200, hello.Status);
        Assert.Equal("Hello, World!", hello.BodyText);
        Assert.Equal("text/plain; charset=utf-8", hello.Header("Content-Type"));
    }

    [Fact]
    public async Task A_large_upstream_body_is_streamed_through_intact()
    {
        await using var client = await RawHttpClient.ConnectAsync(_front.Endpoint);
        await client.SendAsync("GET /up/test/paced-stream?n=40&size=50000 HTTP/1.1\r\nHost: x\r\n\r\n");

        var response = await client.ReadResponseAsync();

        Assert.Equal(200, response.Status);
        Assert.Equal(40 * 50000, response.Body.Length);
        for (var i = 0; i < response.Body.Length; i += 1009)
        {
            Assert.Equal((byte)(i % 251), response.Body[i]);
        }
    }

    [Fact]
    public async Task An_answer_the_upstream_compressed_is_relayed_as_it_is_not_compressed_twice()
    {
        await using var client = await RawHttpClient.ConnectAsync(_front.Endpoint);
        await client.SendAsync("GET /up/ HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n");

        var response = await client.ReadResponseAsync();

        Assert.Equal("gzip", response.Header("Content-Encoding"));
        using var decoder = new System.IO.Compression.GZipStream(new MemoryStream(response.Body), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(decoder);
        Assert.Contains("<html", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task Several_connections_stream_through_the_proxy_at_once()
    {
        var streams = Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var client = await RawHttpClient.ConnectAsync(_front.Endpoint);
            await client.SendAsync("GET /up/test/paced-stream?n=20&size=50000 HTTP/1.1\r\nHost: x\r\n\r\n");
            return (await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(20))).Body;
        });

        foreach (var body in await Task.WhenAll(streams))
        {
            Assert.Equal(20 * 50000, body.Length);
            Assert.Equal((byte)(777_777 % 251), body[777_777]);
        }
    }

    [Fact]
    public async Task A_slow_upstream_is_504_after_the_route_timeout()
    {
        await using var client = await RawHttpClient.ConnectAsync(_front.Endpoint);
        var started = DateTime.UtcNow;
        await client.SendAsync("GET /sluggish HTTP/1.1\r\nHost: x\r\n\r\n");

        var response = await client.ReadResponseAsync();

        Assert.Equal(504, response.Status);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2.5));
    }

    [Fact]
    public async Task Demo_gateways_answer_502_and_504()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);

        await client.SendAsync("GET /gateway/down/anything HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(502, (await client.ReadResponseAsync()).Status);

        await client.SendAsync("GET /gateway/slow HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(504, (await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(5))).Status);
    }

    [Fact]
    public async Task An_upstream_answering_garbage_is_502()
    {
        using var garbage = new TcpListener(IPAddress.Loopback, 0);
        garbage.Start();
        var serving = Task.Run(async () =>
        {
            using var peer = await garbage.AcceptSocketAsync();
            var buffer = new byte[4096];
            await peer.ReceiveAsync(buffer, SocketFlags.None);
            await peer.SendAsync(Encoding.ASCII.GetBytes("THIS IS NOT HTTP\r\n\r\n"), SocketFlags.None);
        });
        var port = ((IPEndPoint)garbage.LocalEndpoint).Port;
        await using var front = await TestServer.StartAsync($$"""actorhttp.proxy.routes = [ { prefix = "/bad", upstream = "http://127.0.0.1:{{port}}/", timeout = 2s } ]""");
        await using var client = await RawHttpClient.ConnectAsync(front.Endpoint);

        await client.SendAsync("GET /bad HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal(502, (await client.ReadResponseAsync()).Status);
        await serving;
    }

    [Fact]
    public async Task An_upstream_dying_midway_through_a_body_closes_the_client_connection_unfinished()
    {
        using var dying = new TcpListener(IPAddress.Loopback, 0);
        dying.Start();
        var serving = Task.Run(async () =>
        {
            using var peer = await dying.AcceptSocketAsync();
            var buffer = new byte[4096];
            await peer.ReceiveAsync(buffer, SocketFlags.None);
            await peer.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\nonly the start"), SocketFlags.None);
        });
        var port = ((IPEndPoint)dying.LocalEndpoint).Port;
        await using var front = await TestServer.StartAsync($$"""actorhttp.proxy.routes = [ { prefix = "/dying", upstream = "http://127.0.0.1:{{port}}/", timeout = 2s } ]""");
        await using var client = await RawHttpClient.ConnectAsync(front.Endpoint);

        await client.SendAsync("GET /dying HTTP/1.1\r\nHost: x\r\n\r\n");

        // A chunked body without its last chunk: the client must not take it for a complete answer.
        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.ReadResponseAsync());
        Assert.True(error is IOException or SocketException, $"expected the connection to end early, got {error}");
        await serving;
    }
}
