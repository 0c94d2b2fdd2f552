using System.IO.Compression;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.EndToEnd;

/// <summary>Compressed answers over a real socket, decoded by the client as a browser would.</summary>
public sealed class CompressionTests(DefaultServerFixture fixture) : IClassFixture<DefaultServerFixture>
{
    private async Task<RawResponse> GetAsync(string path, string? acceptEncoding, bool head = false)
    {
        await using var client = await RawHttpClient.ConnectAsync(fixture.Server.Endpoint);
        var extra = acceptEncoding is null ? string.Empty : $"Accept-Encoding: {acceptEncoding}\r\n";
        await client.SendAsync($"{(head ? "HEAD" : "GET")} {path} HTTP/1.1\r\nHost: x\r\n{extra}\r\n");
        return await client.ReadResponseAsync(head);
    }

    [Theory]
    [InlineData("gzip", "gzip")]
    [InlineData("gzip, deflate, br", "br")]
    public async Task Text_pages_are_compressed_for_clients_that_accept_it(string acceptEncoding, string coding)
    {
        var plain = await GetAsync("/", null);

        var compressed = await GetAsync("/", acceptEncoding);

        Assert.Equal(coding, compressed.Header("Content-Encoding"));
        Assert.Equal("Accept-Encoding", compressed.Header("Vary"));
        Assert.Equal(compressed.Body.Length.ToString(), compressed.Header("Content-Length"));
        using var input = new MemoryStream(compressed.Body);
        using Stream decoder = coding == "br" ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        await decoder.CopyToAsync(output);
        Assert.Equal(plain.Body, output.ToArray());
    }

    [Fact]
    public async Task Without_accept_encoding_the_body_is_plain_but_varies()
    {
        var response = await GetAsync("/", null);

        Assert.Null(response.Header("Content-Encoding"));
        Assert.Equal("Accept-Encoding", response.Header("Vary"));
        Assert.Contains("<html", response.BodyText);
    }

    [Fact]
    public async Task Head_announces_the_compressed_length()
    {
        var get = await GetAsync("/", "gzip");
        var head = await GetAsync("/", "gzip", head: true);

        Assert.Equal(get.Header("Content-Length"), head.Header("Content-Length"));
        Assert.Equal("gzip", head.Header("Content-Encoding"));
    }

    [Fact]
    public async Task Tiny_answers_are_not_compressed()
    {
        var response = await GetAsync("/hello", "gzip, br");

        Assert.Null(response.Header("Content-Encoding"));
        Assert.Equal("Hello, World!", response.BodyText);
    }
}
