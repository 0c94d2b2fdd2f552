using System.Security.Cryptography;
using System.Text;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.StaticFiles;

/// <summary>Static files over real sockets, from a root folder the test builds (RFC 9110 §8.8, §13, §14).</summary>
public sealed class StaticFileTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"actorhttp-static-{Guid.NewGuid():N}");
    private readonly string _outside = Path.Combine(Path.GetTempPath(), $"actorhttp-outside-{Guid.NewGuid():N}");
    private readonly byte[] _large = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 123);
    private ActorHttp.Hosting.ActorHttpServer _server = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_root, "docs"));
        Directory.CreateDirectory(Path.Combine(_root, "empty"));
        Directory.CreateDirectory(Path.Combine(_root, "listed"));
        Directory.CreateDirectory(_outside);
        await File.WriteAllTextAsync(Path.Combine(_root, "index.html"), "<h1>home</h1>");
        await File.WriteAllTextAsync(Path.Combine(_root, "docs", "index.html"), "<h1>docs</h1>");
        await File.WriteAllTextAsync(Path.Combine(_root, "notes.txt"), "0123456789abcdefghij");
        await File.WriteAllTextAsync(Path.Combine(_root, ".secret"), "hidden");
        await File.WriteAllTextAsync(Path.Combine(_root, "listed", "a<b>.txt"), "x");
        await File.WriteAllBytesAsync(Path.Combine(_root, "large.bin"), _large);
        await File.WriteAllTextAsync(Path.Combine(_outside, "passwd"), "root:x:0:0");
        File.CreateSymbolicLink(Path.Combine(_root, "escape.txt"), Path.Combine(_outside, "passwd"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "escape-dir"), _outside);
        File.CreateSymbolicLink(Path.Combine(_root, "inside-link.txt"), Path.Combine(_root, "notes.txt"));
        _server = await ActorHttp.Hosting.ActorHttpServer.StartAsync(new ActorHttp.Hosting.ServerOptions
        {
            Host = "127.0.0.1",
            Port = 0,
            DemoRoutes = true,
            StaticRoot = _root,
            ConfigOverrides = TestServer.FastTimeouts,
            Logger = new Serilog.LoggerConfiguration().CreateLogger(),
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_outside, recursive: true);
    }

    private async Task<RawResponse> SendAsync(string target, string extraHeaders = "", string method = "GET")
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync($"{method} {target} HTTP/1.1\r\nHost: x\r\n{extraHeaders}\r\n");
        return await client.ReadResponseAsync(method == "HEAD");
    }

    [Fact]
    public async Task A_file_is_served_with_its_type_and_validators()
    {
        var response = await SendAsync("/notes.txt");

        Assert.Equal(200, response.Status);
        Assert.Equal("0123456789abcdefghij", response.BodyText);
        Assert.Equal("text/plain; charset=utf-8", response.Header("Content-Type"));
        Assert.Equal("20", response.Header("Content-Length"));
        Assert.Equal("bytes", response.Header("Accept-Ranges"));
        Assert.StartsWith("\"", response.Header("ETag"));
        Assert.NotNull(response.Header("Last-Modified"));
    }

    [Fact]
    public async Task Folders_serve_their_index_and_need_a_trailing_slash()
    {
        Assert.Equal("<h1>home</h1>", (await SendAsync("/")).BodyText);
        Assert.Equal("<h1>docs</h1>", (await SendAsync("/docs/")).BodyText);
        var redirect = await SendAsync("/docs?x=1");
        Assert.Equal(301, redirect.Status);
        Assert.Equal("/docs/?x=1", redirect.Header("Location"));
    }

    [Fact]
    public async Task A_folder_without_index_is_403_and_a_missing_file_404()
    {
        Assert.Equal(403, (await SendAsync("/empty/")).Status);
        Assert.Equal(404, (await SendAsync("/missing.txt")).Status);
    }

    [Fact]
    public async Task Listings_are_off_by_default_and_escaped_when_on()
    {
        Assert.Equal(403, (await SendAsync("/listed/")).Status);

        await using var listing = await ActorHttp.Hosting.ActorHttpServer.StartAsync(new ActorHttp.Hosting.ServerOptions
        {
            Host = "127.0.0.1",
            Port = 0,
            DemoRoutes = true,
            StaticRoot = _root,
            ConfigOverrides = "actorhttp.static-files.listing = on",
            Logger = new Serilog.LoggerConfiguration().CreateLogger(),
        });
        await using var client = await RawHttpClient.ConnectAsync(listing.Endpoint);
        await client.SendAsync("GET /listed/ HTTP/1.1\r\nHost: x\r\n\r\n");
        var page = await client.ReadResponseAsync();

        Assert.Equal(200, page.Status);
        Assert.Contains("a&lt;b&gt;.txt", page.BodyText);
        Assert.DoesNotContain("<b>", page.BodyText);
    }

    [Fact]
    public async Task Matching_validators_get_304_without_a_body()
    {
        var first = await SendAsync("/notes.txt");
        var etag = first.Header("ETag")!;

        var byTag = await SendAsync("/notes.txt", $"If-None-Match: \"other\", {etag}\r\n");
        var byDate = await SendAsync("/notes.txt", $"If-Modified-Since: {first.Header("Last-Modified")}\r\n");
        var stale = await SendAsync("/notes.txt", "If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT\r\n");
        var tagWins = await SendAsync("/notes.txt", $"If-None-Match: \"other\"\r\nIf-Modified-Since: {first.Header("Last-Modified")}\r\n");

        Assert.Equal(304, byTag.Status);
        Assert.Empty(byTag.Body);
        Assert.Equal(etag, byTag.Header("ETag"));
        Assert.Equal(304, byDate.Status);
        Assert.Equal(200, stale.Status);
        Assert.Equal(200, tagWins.Status);
    }

    [Fact]
    public async Task Preconditions_that_do_not_hold_get_412_and_those_that_hold_serve_the_file()
    {
        var first = await SendAsync("/notes.txt");
        var etag = first.Header("ETag")!;

        var otherTag = await SendAsync("/notes.txt", "If-Match: \"other\"\r\n");
        var weakTag = await SendAsync("/notes.txt", $"If-Match: W/{etag}\r\n");
        var sameTag = await SendAsync("/notes.txt", $"If-Match: \"other\", {etag}\r\n");
        var anyTag = await SendAsync("/notes.txt", "If-Match: *\r\n");
        var changedSince = await SendAsync("/notes.txt", "If-Unmodified-Since: Sat, 01 Jan 2000 00:00:00 GMT\r\n");
        var unchangedSince = await SendAsync("/notes.txt", $"If-Unmodified-Since: {first.Header("Last-Modified")}\r\n");
        var matchWins = await SendAsync("/notes.txt", $"If-Match: {etag}\r\nIf-Unmodified-Since: Sat, 01 Jan 2000 00:00:00 GMT\r\n");

        Assert.Equal(412, otherTag.Status);
        Assert.Equal(etag, otherTag.Header("ETag"));
        Assert.Equal(412, weakTag.Status);
        Assert.Equal(412, changedSince.Status);
        Assert.Equal([200, 200, 200, 200], new[] { sameTag.Status, anyTag.Status, unchangedSince.Status, matchWins.Status });
        Assert.Equal(first.Body, sameTag.Body);
    }

    [Fact]
    public async Task A_small_file_is_served_from_memory_while_its_size_and_time_are_unchanged()
    {
        var path = Path.Combine(_root, "cached.txt");
        await File.WriteAllTextAsync(path, "1111");
        var stamp = File.GetLastWriteTimeUtc(path);
        // Each of the route's handler instances keeps its own copy, and they take requests in turn;
        // they start asynchronously, so the last turn comes after a pause that lets a late one start.
        for (var turn = 0; turn < 3; turn++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            Assert.Equal("1111", (await SendAsync("/cached.txt")).BodyText);
            Assert.Equal("1111", (await SendAsync("/cached.txt")).BodyText);
        }

        // Same size, time set back: only a cache would still answer the old bytes.
        await File.WriteAllTextAsync(path, "2222");
        File.SetLastWriteTimeUtc(path, stamp);

        Assert.Equal("1111", (await SendAsync("/cached.txt")).BodyText);
        Assert.Equal("11", (await SendAsync("/cached.txt", "Range: bytes=1-2\r\n")).BodyText);
    }

    [Theory]
    [InlineData("a longer text")]
    [InlineData("bbbb")]
    public async Task A_changed_small_file_is_read_again(string changed)
    {
        var path = Path.Combine(_root, $"changing-{changed.Length}.txt");
        await File.WriteAllTextAsync(path, "aaaa");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-5));
        Assert.Equal("aaaa", (await SendAsync($"/changing-{changed.Length}.txt")).BodyText);
        Assert.Equal("aaaa", (await SendAsync($"/changing-{changed.Length}.txt")).BodyText);

        await File.WriteAllTextAsync(path, changed);

        Assert.Equal(changed, (await SendAsync($"/changing-{changed.Length}.txt")).BodyText);
        Assert.Equal(changed, (await SendAsync($"/changing-{changed.Length}.txt")).BodyText);
    }

    [Fact]
    public async Task Ranges_get_206_with_exactly_those_bytes()
    {
        var middle = await SendAsync("/notes.txt", "Range: bytes=5-9\r\n");
        var suffix = await SendAsync("/notes.txt", "Range: bytes=-3\r\n");

        Assert.Equal(206, middle.Status);
        Assert.Equal("56789", middle.BodyText);
        Assert.Equal("bytes 5-9/20", middle.Header("Content-Range"));
        Assert.Equal("5", middle.Header("Content-Length"));
        Assert.Equal("hij", suffix.BodyText);
    }

    [Fact]
    public async Task An_unsatisfiable_range_is_416_and_a_stale_if_range_gets_the_whole_file()
    {
        var outside = await SendAsync("/notes.txt", "Range: bytes=50-\r\n");
        var stale = await SendAsync("/notes.txt", "Range: bytes=0-1\r\nIf-Range: \"not-the-etag\"\r\n");
        var etag = (await SendAsync("/notes.txt")).Header("ETag");
        var fresh = await SendAsync("/notes.txt", $"Range: bytes=0-1\r\nIf-Range: {etag}\r\n");

        Assert.Equal(416, outside.Status);
        Assert.Equal("bytes */20", outside.Header("Content-Range"));
        Assert.Equal(200, stale.Status);
        Assert.Equal(20, stale.Body.Length);
        Assert.Equal(206, fresh.Status);
    }

    [Fact]
    public async Task Head_has_the_headers_and_no_body()
    {
        var response = await SendAsync("/large.bin", method: "HEAD");

        Assert.Equal(200, response.Status);
        Assert.Equal(_large.Length.ToString(), response.Header("Content-Length"));
        Assert.Equal("application/octet-stream", response.Header("Content-Type"));
    }

    [Fact]
    public async Task A_large_file_streams_intact_with_its_length()
    {
        var response = await SendAsync("/large.bin");

        Assert.Equal(200, response.Status);
        Assert.Equal(_large.Length.ToString(), response.Header("Content-Length"));
        Assert.Null(response.Header("Transfer-Encoding"));
        Assert.Equal(SHA256.HashData(_large), SHA256.HashData(response.Body));
    }

    [Fact]
    public async Task Many_connections_downloading_at_once_each_get_their_own_file()
    {
        // Sequence numbers are per connection: every connection's first request is number 0, so a
        // handler serving several must keep their transfers apart.
        var downloads = Enumerable.Range(0, 6).Select(async i =>
        {
            await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
            await client.SendAsync(i % 2 == 0 ? "GET /large.bin HTTP/1.1\r\nHost: x\r\n\r\n" : "GET /large.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=100-2000099\r\n\r\n");
            var response = await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(20));
            return (Index: i, response.Body);
        });

        foreach (var (index, body) in await Task.WhenAll(downloads))
        {
            var expected = index % 2 == 0 ? _large : _large.AsSpan(100, 2_000_000).ToArray();
            Assert.Equal(SHA256.HashData(expected), SHA256.HashData(body));
        }
    }

    [Fact]
    public async Task A_large_range_streams_exactly()
    {
        var response = await SendAsync("/large.bin", "Range: bytes=1000000-3999999\r\n");

        Assert.Equal(206, response.Status);
        Assert.Equal(_large.AsSpan(1_000_000, 3_000_000).ToArray(), response.Body);
    }

    [Theory]
    [InlineData("/../etc/passwd")]
    [InlineData("/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/docs/../../etc/passwd")]
    [InlineData("/a%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("//etc/passwd")]
    [InlineData("/.secret")]
    [InlineData("/docs/%2e%2e%2f%2e%2e%2fetc%2fpasswd")]
    [InlineData("/escape.txt")]
    [InlineData("/escape-dir/passwd")]
    public async Task Nothing_outside_the_root_is_ever_served(string target)
    {
        var response = await SendAsync(target);

        Assert.Contains(response.Status, new[] { 400, 403, 404 });
        Assert.DoesNotContain("root:x", response.BodyText);
        Assert.DoesNotContain("hidden", response.BodyText);
    }

    [Fact]
    public async Task A_link_that_stays_inside_the_root_is_followed()
    {
        Assert.Equal("0123456789abcdefghij", (await SendAsync("/inside-link.txt")).BodyText);
    }

    [Fact]
    public async Task The_demo_site_is_the_home_page_and_its_assets_load()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        foreach (var (path, type) in new[] { ("/", "text/html; charset=utf-8"), ("/style.css", "text/css; charset=utf-8"), ("/app.js", "text/javascript; charset=utf-8"), ("/logo.svg", "image/svg+xml") })
        {
            await client.SendAsync($"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal(200, response.Status);
            Assert.Equal(type, response.Header("Content-Type"));
        }

        await client.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("Hello, World!", (await client.ReadResponseAsync()).BodyText);
        Assert.Contains("status codes", Encoding.UTF8.GetString((await GetHomeAsync(server)).Body));
    }

    private static async Task<RawResponse> GetHomeAsync(ActorHttp.Hosting.ActorHttpServer server)
    {
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        return await client.ReadResponseAsync();
    }
}
