using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ActorHttp.Hosting;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Uploads;

/// <summary>The demo's <c>POST /upload</c> over real sockets: bodies streamed to disk, hashed, limited, cleaned up.</summary>
public sealed class UploadTests : IAsyncLifetime
{
    private const int MaxBytes = 4_000_000;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "actorhttp-upload-tests-" + Guid.NewGuid().ToString("N"));
    private ActorHttpServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        // The server-wide body limit is far below the upload limit: uploads must use their own.
        _server = await TestServer.StartAsync($"""
            actorhttp.uploads.folder = "{_folder.Replace("\\", "/")}"
            actorhttp.uploads.max-bytes = {MaxBytes}
            actorhttp.uploads.max-files = 3
            actorhttp.limits.max-body-bytes = 100000
            actorhttp.server.idle-timeout = 1s
            """);
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_server.Endpoint.Port}") };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_raw_body_is_stored_and_answered_with_its_size_and_sha256()
    {
        var body = RandomNumberGenerator.GetBytes(3_000_000);

        using var response = await _http.PostAsync("/upload", new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var result = await ReadResult(response);
        Assert.Equal(body.Length, result.GetProperty("size").GetInt64());
        Assert.Equal(Sha256(body), result.GetProperty("sha256").GetString());
        Assert.Equal(body, await File.ReadAllBytesAsync(Path.Combine(_folder, result.GetProperty("id").GetString()!)));
        Assert.Empty(Directory.GetFiles(_folder, "*.part"));
    }

    [Fact]
    public async Task A_chunked_body_is_stored_whole()
    {
        var body = RandomNumberGenerator.GetBytes(1_500_000);
        using var content = new StreamContent(new MemoryStream(body));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/upload") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var result = await ReadResult(response);
        Assert.Equal((long)body.Length, result.GetProperty("size").GetInt64());
        Assert.Equal(Sha256(body), result.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task A_multipart_form_stores_each_file_part_and_skips_plain_fields()
    {
        var first = RandomNumberGenerator.GetBytes(700_000);
        var second = Encoding.UTF8.GetBytes("second file\n");
        using var form = new MultipartFormDataContent
        {
            { new StringContent("a note"), "note" },
            { new ByteArrayContent(first), "file", "photo.bin" },
            { new ByteArrayContent(second), "other", "notes.txt" },
        };

        using var response = await _http.PostAsync("/upload", form);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var result = await ReadResult(response);
        Assert.Equal(first.Length, result.GetProperty("size").GetInt64());
        Assert.Equal(Sha256(first), result.GetProperty("sha256").GetString());
        var files = result.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(2, files.Count);
        Assert.Equal(("file", "photo.bin"), (files[0].GetProperty("field").GetString(), files[0].GetProperty("fileName").GetString()));
        Assert.Equal(("other", "notes.txt", Sha256(second)), (files[1].GetProperty("field").GetString(), files[1].GetProperty("fileName").GetString(), files[1].GetProperty("sha256").GetString()));
        Assert.Equal(second, await File.ReadAllBytesAsync(Path.Combine(_folder, files[1].GetProperty("id").GetString()!)));
    }

    [Fact]
    public async Task A_content_length_over_the_limit_is_refused_with_413_before_the_body_is_sent()
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync($"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: {MaxBytes + 1}\r\n\r\n");

        var response = await client.ReadResponseAsync();

        Assert.Equal(413, response.Status);
        Assert.True(response.SaysClose);
    }

    [Fact]
    public async Task A_chunked_body_passing_the_limit_gets_413_and_leaves_no_file()
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        var piece = new byte[500_000];
        var chunk = Encoding.ASCII.GetBytes($"{piece.Length:x}\r\n").Concat(piece).Concat("\r\n"u8.ToArray()).ToArray();
        var send = Task.Run(async () =>
        {
            try
            {
                for (var i = 0; i < 10; i++)
                {
                    await client.SendAsync(chunk);
                }
            }
            catch (SocketException)
            {
                // The server closes once it has answered; the rest of the body has nowhere to go.
            }
        });

        var response = await client.ReadResponseAsync();

        Assert.Equal(413, response.Status);
        Assert.True(response.SaysClose);
        await send.WaitAsync(TimeSpan.FromSeconds(10));
        await AssertFolderEmptyEventually();
    }

    [Fact]
    public async Task Malformed_multipart_is_refused_with_a_400_problem_and_leaves_no_file()
    {
        const string body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nno closing boundary at all";
        using var content = new StringContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");

        using var response = await _http.PostAsync("/upload", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("multipart", (await ReadResult(response)).GetProperty("detail").GetString());
        await AssertFolderEmptyEventually();
    }

    [Theory]
    [InlineData("multipart/form-data", "boundary")]
    [InlineData("multipart/form-data; boundary=b", "no file part")]
    [InlineData("multipart/form-data; boundary=b", "more than 3 parts")]
    public async Task Multipart_without_boundary_file_or_within_part_count_is_refused_with_400(string contentType, string expected)
    {
        var body = expected switch
        {
            "no file part" => "--b\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--b--\r\n",
            "more than 3 parts" => string.Concat(Enumerable.Range(0, 4).Select(i => $"--b\r\nContent-Disposition: form-data; name=\"f{i}\"; filename=\"{i}.txt\"\r\n\r\n{i}\r\n")) + "--b--\r\n",
            _ => "whatever",
        };
        using var content = new StringContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        using var response = await _http.PostAsync("/upload", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (await ReadResult(response)).GetProperty("detail").GetString());
        await AssertFolderEmptyEventually();
    }

    [Fact]
    public async Task A_client_that_goes_away_mid_upload_leaves_no_file_behind()
    {
        var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync($"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3000000\r\n\r\n");
        await client.SendAsync(new byte[1_000_000]);
        await WaitUntil(() => Directory.Exists(_folder) && Directory.GetFiles(_folder, "*.part").Length == 1);

        await client.DisposeAsync();

        await AssertFolderEmptyEventually();
    }

    [Fact]
    public async Task A_client_that_stalls_mid_upload_gets_408_and_leaves_no_file()
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync($"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n");
        await client.SendAsync(new byte[1000]);

        var response = await client.ReadResponseAsync();

        Assert.Equal(408, response.Status);
        Assert.True(response.SaysClose);
        await AssertFolderEmptyEventually();
    }

    [Fact]
    public async Task The_connection_carries_on_after_an_upload_with_continue_and_pipelined_requests()
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        Assert.Equal(100, (await client.ReadResponseAsync()).Status);

        await client.SendAsync("hello" + "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");

        var upload = await client.ReadResponseAsync();
        Assert.Equal(201, upload.Status);
        Assert.Equal(Sha256("hello"u8.ToArray()), JsonDocument.Parse(upload.Body).RootElement.GetProperty("sha256").GetString());
        Assert.False(upload.SaysClose);
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task An_empty_upload_is_a_zero_byte_file()
    {
        using var response = await _http.PostAsync("/upload", new ByteArrayContent([]));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var result = await ReadResult(response);
        Assert.Equal(0, result.GetProperty("size").GetInt64());
        Assert.Equal(Sha256([]), result.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task Other_routes_keep_the_server_body_limit()
    {
        using var response = await _http.PostAsync("/echo", new ByteArrayContent(new byte[200_000]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task A_folder_that_cannot_be_written_gives_a_500_problem_and_the_server_carries_on()
    {
        // A folder below a file can never be created, even for root.
        await using var server = await TestServer.StartAsync("actorhttp.uploads.folder = \"/dev/null/uploads\"");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Endpoint.Port}") };

        using var failed = await http.PostAsync("/upload", new ByteArrayContent(new byte[100_000]));
        using var next = await http.GetAsync("/hello");

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    private static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private static async Task<JsonElement> ReadResult(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync()).RootElement;

    private async Task AssertFolderEmptyEventually() =>
        await WaitUntil(() => !Directory.Exists(_folder) || Directory.GetFiles(_folder).Length == 0);

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 10 s");
            await Task.Delay(20);
        }
    }
}
