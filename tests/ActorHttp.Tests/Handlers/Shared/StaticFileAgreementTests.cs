using System.Security.Cryptography;
using ActorHttp.Handlers.Shared;
using ActorHttp.Handlers.StaticFiles;
using ActorHttp.Hosting;
using ActorHttp.Protocol;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Handlers.Shared;

/// <summary>
/// The shared static file handler and the actor one on the same folder: the same statuses, fields and
/// bytes, whole or streamed through <see cref="HttpResponse.BodyStream"/>.
/// </summary>
public sealed class StaticFileAgreementTests : IAsyncLifetime
{
    private const int ChunkBytes = 64 * 1024;
    private readonly string _root = Directory.CreateTempSubdirectory("actorhttp-shared-static-").FullName;
    private readonly byte[] _large = RandomNumberGenerator.GetBytes(300 * 1024 + 7);
    private ActorHttpServer _server = null!;
    private SharedRoutes _routes = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_root, "docs"));
        await File.WriteAllTextAsync(Path.Combine(_root, "notes.txt"), "0123456789abcdefghij");
        await File.WriteAllTextAsync(Path.Combine(_root, "docs", "index.html"), "<h1>docs</h1>");
        await File.WriteAllBytesAsync(Path.Combine(_root, "large.bin"), _large);
        await File.WriteAllBytesAsync(Path.Combine(_root, "empty.txt"), []);
        await File.WriteAllTextAsync(Path.Combine(_root, "app.js"), "console.log('identity');");
        // Its bytes are never decoded on the way: any stand-in shows which representation was sent.
        await File.WriteAllTextAsync(Path.Combine(_root, "app.js.gz"), "gzip stand-in");
        // The actor server's settings are the defaults of actorhttp.static-files; the shared handler gets the same.
        _server = await ActorHttpServer.StartAsync(new ServerOptions
        {
            Host = "127.0.0.1",
            Port = 0,
            StaticRoot = _root,
            ConfigOverrides = TestServer.FastTimeouts,
            Environment = new Dictionary<string, string>(),
            Logger = new Serilog.LoggerConfiguration().CreateLogger(),
        });
        _routes = SharedRoutes.Create(new StaticFileSettings(_root, "index.html", Listing: false, ChunkBytes, MaxAge: TimeSpan.Zero), new InterlockedCounter());
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    public static TheoryData<string, string, HandlerForm> SmallCases()
    {
        var data = new TheoryData<string, string, HandlerForm>();
        foreach (var form in new[] { HandlerForm.Sync, HandlerForm.Async })
        {
            data.Add("/notes.txt", string.Empty, form);
            data.Add("/notes.txt", "Range: bytes=5-9", form);
            data.Add("/notes.txt", "Range: bytes=50-", form);
            data.Add("/notes.txt", "If-Match: \"other\"", form);
            data.Add("/missing.txt", string.Empty, form);
            data.Add("/docs", string.Empty, form);
            data.Add("/docs/", string.Empty, form);
            data.Add("/.hidden", string.Empty, form);
            data.Add("/empty.txt", string.Empty, form);
            data.Add("/app.js", "Accept-Encoding: gzip", form);
            data.Add("/app.js", string.Empty, form);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SmallCases))]
    public async Task Whole_answers_agree(string path, string header, HandlerForm form)
    {
        var headers = header.Length == 0 ? [] : new[] { (header[..header.IndexOf(':')], header[(header.IndexOf(':') + 2)..]) };

        var fromActor = await SendToActorAsync("GET", path, header);
        var shared = await CallSharedAsync("GET", path, headers, form);

        Assert.False(shared.Streamed);
        AssertSameAnswer(fromActor, shared, shared.Body.ToArray());
    }

    [Theory]
    [InlineData(HandlerForm.Sync)]
    [InlineData(HandlerForm.Async)]
    public async Task A_matching_etag_gets_304_from_both(HandlerForm form)
    {
        var etag = (await SendToActorAsync("GET", "/notes.txt")).Header("ETag")!;

        var fromActor = await SendToActorAsync("GET", "/notes.txt", $"If-None-Match: {etag}");
        var shared = await CallSharedAsync("GET", "/notes.txt", [("If-None-Match", etag)], form);

        Assert.Equal(304, shared.StatusCode);
        AssertSameAnswer(fromActor, shared, shared.Body.ToArray());
    }

    [Theory]
    [InlineData(HandlerForm.Sync, "")]
    [InlineData(HandlerForm.Async, "")]
    [InlineData(HandlerForm.Sync, "Range: bytes=1000-150000")]
    [InlineData(HandlerForm.Async, "Range: bytes=1000-150000")]
    public async Task A_large_file_or_range_streams_through_the_body_stream(HandlerForm form, string range)
    {
        var headers = range.Length == 0 ? [] : new[] { ("Range", range["Range: ".Length..]) };

        var fromActor = await SendToActorAsync("GET", "/large.bin", range);
        var shared = await CallSharedAsync("GET", "/large.bin", headers, form);

        Assert.True(shared.Streamed);
        Assert.NotNull(shared.BodyStream);
        byte[] streamed;
        await using (var body = shared.BodyStream)
        {
            using var copy = new MemoryStream();
            await body.CopyToAsync(copy, 16 * 1024);
            streamed = copy.ToArray();
        }

        Assert.Equal(streamed.Length, shared.StreamLength);
        Assert.Equal(range.Length == 0 ? _large : _large.AsSpan(1000, 149_001).ToArray(), streamed);
        AssertSameAnswer(fromActor, shared, streamed);
    }

    [Theory]
    [InlineData(HandlerForm.Sync)]
    [InlineData(HandlerForm.Async)]
    public async Task Head_of_a_large_file_announces_its_length_and_reads_nothing(HandlerForm form)
    {
        var fromActor = await SendToActorAsync("HEAD", "/large.bin");
        var shared = await CallSharedAsync("HEAD", "/large.bin", [], form);

        Assert.Equal(200, shared.StatusCode);
        Assert.True(shared.Streamed);
        Assert.Equal(_large.Length, shared.StreamLength);
        Assert.Equal(fromActor.Header("Content-Length"), shared.StreamLength.ToString());
        Assert.Equal(-1, shared.BodyStream!.ReadByte());
        Assert.Equal(fromActor.Header("ETag"), shared.Header("ETag"));
    }

    [Fact]
    public async Task A_file_that_shrinks_while_it_streams_fails_the_stream_instead_of_ending_short()
    {
        var path = Path.Combine(_root, "shrinking.bin");
        await File.WriteAllBytesAsync(path, _large);
        var response = _routes.Resolve(SharedHandlerSupport.Get("/shrinking.bin")).Handle();

        await using (var stream = File.Open(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            stream.SetLength(1000);
        }

        await using var body = response.BodyStream!;
        await Assert.ThrowsAsync<IOException>(() => body.CopyToAsync(Stream.Null));
    }

    [Fact]
    public async Task A_small_file_is_served_from_memory_while_its_size_and_time_are_unchanged()
    {
        var path = Path.Combine(_root, "cached.txt");
        await File.WriteAllTextAsync(path, "1111");
        var stamp = File.GetLastWriteTimeUtc(path);
        Assert.Equal("1111", (await CallSharedAsync("GET", "/cached.txt", [], HandlerForm.Sync)).BodyText());

        // Same size, time set back: only a cache would still answer the old bytes.
        await File.WriteAllTextAsync(path, "2222");
        File.SetLastWriteTimeUtc(path, stamp);
        var cached = await CallSharedAsync("GET", "/cached.txt", [], HandlerForm.Async);

        // A new time: read again.
        File.SetLastWriteTimeUtc(path, stamp.AddSeconds(10));
        var fresh = await CallSharedAsync("GET", "/cached.txt", [], HandlerForm.Sync);

        Assert.Equal("1111", cached.BodyText());
        Assert.Equal("2222", fresh.BodyText());
    }

    private async Task<HttpResponse> CallSharedAsync(string method, string path, IEnumerable<(string, string)> headers, HandlerForm form)
    {
        // Through the shared table, which binds the path the handler reads, as a host would.
        var resolved = _routes.Resolve(SharedHandlerSupport.Request(method, path, headers));
        Assert.IsType<StaticFileRequestHandler>(resolved.Handler);
        return await resolved.Handler.CallAsync(resolved.Request, form);
    }

    private async Task<RawResponse> SendToActorAsync(string method, string path, string header = "")
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync($"{method} {path} HTTP/1.1\r\nHost: x\r\n{(header.Length == 0 ? string.Empty : header + "\r\n")}\r\n");
        return await client.ReadResponseAsync(headRequest: method == "HEAD", timeout: TimeSpan.FromSeconds(20));
    }

    /// <summary>The same status and body, and every field the shared handler sets has the actor's value on the wire.</summary>
    private static void AssertSameAnswer(RawResponse fromActor, HttpResponse shared, byte[] sharedBody)
    {
        Assert.Equal(fromActor.Status, shared.StatusCode);
        Assert.Equal(fromActor.Body, sharedBody);
        Assert.NotEmpty(shared.Headers);
        foreach (var (name, value) in shared.Headers)
        {
            Assert.Equal((name, value), (name, fromActor.Header(name)));
        }
    }
}
