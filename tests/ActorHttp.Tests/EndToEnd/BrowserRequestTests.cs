using System.Text.Json;
using ActorHttp.Protocol;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.EndToEnd;

/// <summary>
/// What browsers send (raw brackets and pipes in targets, a fragment, malformed escapes, empty lines
/// before a request) is served, and what RFC 9112 asks a server to refuse is refused with a short text
/// and a closed connection, over real sockets.
/// </summary>
public sealed class BrowserRequestTests(DefaultServerFixture fixture) : IClassFixture<DefaultServerFixture>
{
    private async Task<(RawResponse Response, RawHttpClient Client)> SendAsync(string request)
    {
        var client = await RawHttpClient.ConnectAsync(fixture.Server.Endpoint);
        await client.SendAsync(request);
        return (await client.ReadResponseAsync(), client);
    }

    private static JsonElement Echo(RawResponse response)
    {
        Assert.Equal(200, response.Status);
        return JsonDocument.Parse(response.Body).RootElement;
    }

    [Theory]
    [InlineData("/echo?a[]=1&a[]=2", "/echo", "a[]=1&a[]=2")]
    [InlineData("/echo?q=a|b", "/echo", "q=a|b")]
    [InlineData("/echo?q=\"x\"&r=<y>^`{z}\\", "/echo", "q=\"x\"&r=<y>^`{z}\\")]
    [InlineData("/echo/files/{id}/x[1]", "/echo/files/{id}/x[1]", "")]
    [InlineData("/echo/a%zz/b%?q=%zz&r=100%", "/echo/a%zz/b%", "q=%zz&r=100%")]
    [InlineData("/echo/a%41%2", "/echo/aA%2", "")]
    public async Task Echo_gives_back_exactly_the_target_that_was_sent(string target, string path, string query)
    {
        var (response, client) = await SendAsync($"GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n");
        await using var _ = client;

        var echo = Echo(response);
        Assert.Equal(target, echo.GetProperty("target").GetString());
        Assert.Equal(path, echo.GetProperty("path").GetString());
        Assert.Equal(query, echo.GetProperty("query").GetString());
    }

    [Theory]
    [InlineData("/x[1]")]
    [InlineData("/files/{id}")]
    [InlineData("/a|b^c")]
    public async Task Targets_with_brackets_braces_and_pipes_reach_routing(string path)
    {
        var (response, client) = await SendAsync($"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
        await using var _ = client;

        // The static site serves "/" and has no such file: routing took the path as it is.
        Assert.Equal(404, response.Status);
        Assert.Equal($"No file at {path}.\n", response.BodyText);
        Assert.False(response.SaysClose);
    }

    [Fact]
    public async Task A_literal_brace_segment_binds_as_a_route_value()
    {
        var (response, client) = await SendAsync("GET /test/users/{id} HTTP/1.1\r\nHost: localhost\r\n\r\n");
        await using var _ = client;

        Assert.Equal(200, response.Status);
        Assert.Equal("id={id}", response.BodyText);
    }

    [Fact]
    public async Task A_fragment_is_dropped_before_routing()
    {
        var (response, client) = await SendAsync("GET /hello#top HTTP/1.1\r\nHost: localhost\r\n\r\n");
        await using var _ = client;

        Assert.Equal(200, response.Status);
        Assert.Equal("Hello, World!", response.BodyText);

        await client.SendAsync("GET /echo?a=1#frag?b=2 HTTP/1.1\r\nHost: localhost\r\n\r\n");
        var echo = Echo(await client.ReadResponseAsync());
        Assert.Equal("/echo?a=1", echo.GetProperty("target").GetString());
        Assert.Equal("a=1", echo.GetProperty("query").GetString());
    }

    [Fact]
    public async Task Empty_lines_before_a_request_are_ignored_on_a_new_and_on_a_kept_alive_connection()
    {
        var (response, client) = await SendAsync("\r\n\r\n\r\n\r\nGET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
        await using var _ = client;
        Assert.Equal(200, response.Status);

        // Old clients put a CRLF after a POST body.
        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\nhi\r\n\r\nGET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
        Assert.Equal("hi", System.Text.Encoding.ASCII.GetString(Echo(await client.ReadResponseAsync()).GetProperty("body_base64").GetBytesFromBase64()));
        var next = await client.ReadResponseAsync();
        Assert.Equal(200, next.Status);
        Assert.Equal("Hello, World!", next.BodyText);
    }

    [Fact]
    public async Task Well_formed_chunk_extensions_are_skipped()
    {
        var (response, client) = await SendAsync("POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value;q=\"a b\"\r\nhello\r\n6 ; a=b\r\n world\r\n0\r\n\r\n");
        await using var _ = client;

        Assert.Equal("hello world", System.Text.Encoding.ASCII.GetString(Echo(response).GetProperty("body_base64").GetBytesFromBase64()));
    }

    public static TheoryData<string, RejectionReason> Refusals() => new()
    {
        { "POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", RejectionReason.ChunkedNotFinal },
        { "POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: pigeons\r\n\r\n0\r\n\r\n", RejectionReason.ChunkedNotFinal },
        { "POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunkedchunked\r\n\r\n0\r\n\r\n", RejectionReason.ChunkedNotFinal },
        { "POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", RejectionReason.UnsupportedTransferCoding },
        { "POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5;\r\nhello\r\n0\r\n\r\n", RejectionReason.InvalidChunkExtension },
        { "POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5;a[=x\r\nhello\r\n0\r\n\r\n", RejectionReason.InvalidChunkExtension },
        { "POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"open\r\nhello\r\n0\r\n\r\n", RejectionReason.InvalidChunkExtension },
        { "POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nx\r\n0\r\n\r\n", RejectionReason.ChunkSizeTooLarge },
        { "GET /hello HTTP/1.1\r\nHost:\r\n\r\n", RejectionReason.InvalidHost },
        { "GET /hello HTTP/1.1\r\nHost: \t \r\n\r\n", RejectionReason.InvalidHost },
        { "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", RejectionReason.ConnectNotSupported },
        { "GET example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n", RejectionReason.InvalidRequestTarget },
        { "GET /a\u007f HTTP/1.1\r\nHost: localhost\r\n\r\n", RejectionReason.InvalidRequestTarget },
        { string.Concat(Enumerable.Repeat("\r\n", 4097)) + "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n", RejectionReason.TooManyEmptyLines },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Refusal_is_a_short_text_with_its_status_and_closes_the_connection(string raw, RejectionReason reason)
    {
        var (response, client) = await SendAsync(raw);
        await using var _ = client;

        var expected = RequestRejection.For(reason);
        Assert.Equal(expected.StatusCode, response.Status);
        Assert.Equal(expected.Message + "\n", response.BodyText);
        Assert.True(response.SaysClose);
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Connect_is_501_not_an_invalid_target()
    {
        var (response, client) = await SendAsync("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
        await using var _ = client;

        Assert.Equal(501, response.Status);
        Assert.Contains("not a forward proxy", response.BodyText);
    }

    [Fact]
    public async Task A_404_never_repeats_control_characters_from_the_path()
    {
        var (response, client) = await SendAsync("GET /nope%0d%0aX-Injected:%20true%1b[31m HTTP/1.1\r\nHost: localhost\r\n\r\n");
        await using var _ = client;

        Assert.Equal(404, response.Status);
        Assert.Equal("No file at /nope%0D%0AX-Injected: true%1B[31m.\n", response.BodyText);
        Assert.Null(response.Header("X-Injected"));
    }

    [Fact]
    public async Task A_405_never_repeats_control_characters_from_the_path()
    {
        var (response, client) = await SendAsync("DELETE /nope%0d%0aX-Injected:%20true HTTP/1.1\r\nHost: localhost\r\n\r\n");
        await using var _ = client;

        Assert.Equal(405, response.Status);
        Assert.Equal("DELETE is not allowed on /nope%0D%0AX-Injected: true.\n", response.BodyText);
    }
}
