using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.StaticFiles;

/// <summary>
/// Large static files compressed as they stream, and precompressed <c>.br</c> / <c>.gz</c> siblings
/// served in their place (nginx's gzip_static), over real sockets.
/// </summary>
public sealed class StaticFileCompressionTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"actorhttp-compress-{Guid.NewGuid():N}");
    private readonly byte[] _script = Script(150_000, 1);
    private readonly byte[] _bundle = Script(120_000, 2);
    private readonly byte[] _small = Script(3_000, 3);
    private byte[] _bundleBr = [];
    private byte[] _bundleGz = [];
    private byte[] _smallGz = [];
    private ActorHttp.Hosting.ActorHttpServer _server = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        var then = DateTime.UtcNow.AddHours(-1);
        await WriteAsync("app.js", _script, then);
        await WriteAsync("image.png", RandomNumberGenerator.GetBytes(100_000), then);

        // Siblings made with the smallest level, so their exact bytes tell them from on-the-fly output.
        _bundleBr = Encode(_bundle, "br");
        _bundleGz = Encode(_bundle, "gzip");
        await WriteAsync("bundle.js", _bundle, then);
        await WriteAsync("bundle.js.br", _bundleBr, then.AddMinutes(1));
        await WriteAsync("bundle.js.gz", _bundleGz, then);

        // A sibling older than its file was made from an earlier version: it must be ignored.
        await WriteAsync("stale.js", _script, then);
        await WriteAsync("stale.js.gz", Encode(Script(150_000, 9), "gzip"), then.AddMinutes(-1));

        _smallGz = Encode(_small, "gzip");
        await WriteAsync("small.css", _small, then);
        await WriteAsync("small.css.gz", _smallGz, then);

        _server = await ActorHttp.Hosting.ActorHttpServer.StartAsync(new ActorHttp.Hosting.ServerOptions
        {
            Host = "127.0.0.1",
            Port = 0,
            StaticRoot = _root,
            ConfigOverrides = TestServer.FastTimeouts,
            Logger = new Serilog.LoggerConfiguration().CreateLogger(),
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private static byte[] Script(int length, int seed) =>
        Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, length).Select(i => i % 61 == 60 ? '\n' : (char)('a' + (i * seed + i / 97) % 26))));

    private static byte[] Encode(byte[] content, string coding) =>
        ActorHttp.Protocol.ResponseCompression.Compress(content, coding == "br" ? ActorHttp.Protocol.ContentCoding.Brotli : ActorHttp.Protocol.ContentCoding.Gzip, CompressionLevel.SmallestSize);

    private static byte[] Decode(byte[] body, string coding)
    {
        using var input = new MemoryStream(body);
        using Stream decoder = coding == "br" ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var decoded = new MemoryStream();
        decoder.CopyTo(decoded);
        return decoded.ToArray();
    }

    private async Task WriteAsync(string name, byte[] content, DateTime modified)
    {
        var path = Path.Combine(_root, name);
        await File.WriteAllBytesAsync(path, content);
        File.SetLastWriteTimeUtc(path, modified);
    }

    private async Task<RawResponse> SendAsync(string target, string extraHeaders = "", string method = "GET")
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync($"{method} {target} HTTP/1.1\r\nHost: x\r\n{extraHeaders}\r\n");
        return await client.ReadResponseAsync(method == "HEAD");
    }

    [Theory]
    [InlineData("gzip", "gzip")]
    [InlineData("br", "br")]
    [InlineData("gzip, deflate, br", "br")]
    public async Task A_large_text_file_is_compressed_as_it_streams(string acceptEncoding, string coding)
    {
        var response = await SendAsync("/app.js", $"Accept-Encoding: {acceptEncoding}\r\n");

        Assert.Equal(200, response.Status);
        Assert.Equal(coding, response.Header("Content-Encoding"));
        Assert.Equal("chunked", response.Header("Transfer-Encoding"));
        Assert.Null(response.Header("Content-Length"));
        Assert.Equal("Accept-Encoding", response.Header("Vary"));
        Assert.Equal("text/javascript; charset=utf-8", response.Header("Content-Type"));
        Assert.True(response.Body.Length < _script.Length / 2);
        Assert.Equal(_script, Decode(response.Body, coding));
    }

    [Fact]
    public async Task Without_accept_encoding_a_large_file_goes_out_as_it_is_with_its_length()
    {
        var response = await SendAsync("/app.js");

        Assert.Null(response.Header("Content-Encoding"));
        Assert.Equal(_script.Length.ToString(), response.Header("Content-Length"));
        Assert.Equal(_script, response.Body);
    }

    [Fact]
    public async Task Head_of_a_large_file_has_the_compressed_fields_and_no_body()
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync("HEAD /app.js HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n");
        var head = await client.ReadResponseAsync(headRequest: true);

        Assert.Equal(200, head.Status);
        Assert.Equal("gzip", head.Header("Content-Encoding"));
        Assert.Null(head.Header("Content-Length"));
        Assert.True(await client.StaysSilentAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Theory]
    [InlineData("/app.js")]
    [InlineData("/bundle.js")]
    public async Task A_range_gets_the_identity_bytes(string path)
    {
        var content = path == "/app.js" ? _script : _bundle;

        var response = await SendAsync(path, "Accept-Encoding: br, gzip\r\nRange: bytes=100000-100099\r\n");

        Assert.Equal(206, response.Status);
        Assert.Null(response.Header("Content-Encoding"));
        Assert.Equal($"bytes 100000-100099/{content.Length}", response.Header("Content-Range"));
        Assert.Equal(content.AsSpan(100_000, 100).ToArray(), response.Body);
    }

    [Fact]
    public async Task A_binary_file_is_not_compressed()
    {
        var response = await SendAsync("/image.png", "Accept-Encoding: gzip, br\r\n");

        Assert.Null(response.Header("Content-Encoding"));
        Assert.Equal("100000", response.Header("Content-Length"));
        Assert.Equal(100_000, response.Body.Length);
    }

    [Theory]
    [InlineData("br", "br", "-br")]
    [InlineData("gzip, br", "br", "-br")]
    [InlineData("gzip", "gzip", "-gz")]
    [InlineData("br;q=0.5, gzip", "gzip", "-gz")]
    public async Task A_precompressed_sibling_is_sent_as_it_is_in_the_clients_preferred_coding(string acceptEncoding, string coding, string suffix)
    {
        var response = await SendAsync("/bundle.js", $"Accept-Encoding: {acceptEncoding}\r\n");

        Assert.Equal(200, response.Status);
        Assert.Equal(coding, response.Header("Content-Encoding"));
        Assert.Equal(coding == "br" ? _bundleBr : _bundleGz, response.Body);
        Assert.Equal((coding == "br" ? _bundleBr : _bundleGz).Length.ToString(), response.Header("Content-Length"));
        Assert.Equal("text/javascript; charset=utf-8", response.Header("Content-Type"));
        Assert.Equal("Accept-Encoding", response.Header("Vary"));
        Assert.EndsWith($"{suffix}\"", response.Header("ETag"));
        Assert.Equal(_bundle, Decode(response.Body, coding));
    }

    [Fact]
    public async Task Each_coding_has_its_own_etag_and_revalidates_on_its_own()
    {
        var identity = await SendAsync("/bundle.js");
        var br = await SendAsync("/bundle.js", "Accept-Encoding: br\r\n");
        var gzip = await SendAsync("/bundle.js", "Accept-Encoding: gzip\r\n");
        Assert.Equal(3, new[] { identity.Header("ETag"), br.Header("ETag"), gzip.Header("ETag") }.Distinct().Count());

        var brAgain = await SendAsync("/bundle.js", $"Accept-Encoding: br\r\nIf-None-Match: {br.Header("ETag")}\r\n");
        var gzipAgain = await SendAsync("/bundle.js", $"Accept-Encoding: gzip\r\nIf-None-Match: {gzip.Header("ETag")}\r\n");
        var identityAgain = await SendAsync("/bundle.js", $"If-None-Match: {identity.Header("ETag")}\r\n");
        var brTagForGzip = await SendAsync("/bundle.js", $"Accept-Encoding: gzip\r\nIf-None-Match: {br.Header("ETag")}\r\n");
        var byDate = await SendAsync("/bundle.js", $"Accept-Encoding: br\r\nIf-Modified-Since: {br.Header("Last-Modified")}\r\n");

        Assert.Equal((304, br.Header("ETag"), "Accept-Encoding"), (brAgain.Status, brAgain.Header("ETag"), brAgain.Header("Vary")));
        Assert.Equal((304, gzip.Header("ETag")), (gzipAgain.Status, gzipAgain.Header("ETag")));
        Assert.Equal((304, identity.Header("ETag")), (identityAgain.Status, identityAgain.Header("ETag")));
        Assert.Equal(200, brTagForGzip.Status);
        Assert.Equal(_bundleGz, brTagForGzip.Body);
        Assert.Equal(304, byDate.Status);
    }

    [Fact]
    public async Task A_sibling_older_than_its_file_is_ignored()
    {
        var response = await SendAsync("/stale.js", "Accept-Encoding: gzip\r\n");

        Assert.Equal("gzip", response.Header("Content-Encoding"));
        Assert.DoesNotContain("-gz", response.Header("ETag"));
        Assert.Equal(_script, Decode(response.Body, "gzip"));
    }

    [Fact]
    public async Task A_sibling_requested_by_name_is_served_as_the_file_it_is()
    {
        var response = await SendAsync("/bundle.js.gz", "Accept-Encoding: gzip, br\r\n");

        Assert.Equal(200, response.Status);
        Assert.Null(response.Header("Content-Encoding"));
        Assert.Equal("application/gzip", response.Header("Content-Type"));
        Assert.Equal(_bundleGz, response.Body);
    }

    [Fact]
    public async Task The_small_file_cache_keeps_each_coding_apart_and_follows_a_rewritten_sibling()
    {
        // Each read twice: the second answer comes from the cache.
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(_small, (await SendAsync("/small.css")).Body);
            Assert.Equal(_smallGz, (await SendAsync("/small.css", "Accept-Encoding: gzip\r\n")).Body);
        }

        var rewritten = Encode(Script(3_000, 4), "gzip");
        await WriteAsync("small.css.gz", rewritten, DateTime.UtcNow);
        var fresh = await SendAsync("/small.css", "Accept-Encoding: gzip\r\n");

        Assert.Equal(rewritten, fresh.Body);
        Assert.Equal("gzip", fresh.Header("Content-Encoding"));

        // The file rewritten after its sibling: the sibling is stale, the new file is compressed on the fly.
        var newer = Script(3_000, 5);
        await WriteAsync("small.css", newer, DateTime.UtcNow.AddMinutes(1));
        var current = await SendAsync("/small.css", "Accept-Encoding: gzip\r\n");

        Assert.Equal(newer, Decode(current.Body, "gzip"));
    }
}
