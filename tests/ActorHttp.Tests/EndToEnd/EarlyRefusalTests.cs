using ActorHttp.Hosting;
using ActorHttp.Protocol;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.EndToEnd;

/// <summary>A server whose header timeout is far longer than any read in these tests may wait.</summary>
public sealed class LongHeaderTimeoutServerFixture : IAsyncLifetime
{
    public ActorHttpServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TestServer.StartAsync(
        """
        actorhttp.server.request-header-timeout = 30s
        actorhttp.server.idle-timeout = 30s
        """,
        TestRoutes.Add);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// A client that sends a malformed line and then nothing more is answered at once, not after the
/// 30 s header timeout: a connection that can never become a request is not held open.
/// </summary>
public sealed class EarlyRefusalTests(LongHeaderTimeoutServerFixture fixture) : IClassFixture<LongHeaderTimeoutServerFixture>
{
    // A bound on a hang, not a timing assertion: the header timeout is ten times longer.
    private static readonly TimeSpan ReadBound = TimeSpan.FromSeconds(3);

    public static TheoryData<string, RejectionReason> UnfinishedHeads() => new()
    {
        { "GET /a\0b HTTP/1.1\r\nHost: x\r\n", RejectionReason.InvalidRequestTarget },
        { "GET /a[]?q={x}|\u007f", RejectionReason.InvalidRequestTarget },
        { "GET /a#frag\u00e9", RejectionReason.InvalidRequestTarget },
        { "CONNECT example.com:443 ", RejectionReason.ConnectNotSupported },
        { "\r\n\r\n\n", RejectionReason.BareCarriageReturn },
        { "GET / XTTP/1.1\r\n", RejectionReason.InvalidVersion },
        { "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n", RejectionReason.InvalidContentLength },
        { "GET / HTTP/1.1\r\nX-Foo : bar\r\n", RejectionReason.WhitespaceBeforeColon },
    };

    [Theory]
    [MemberData(nameof(UnfinishedHeads))]
    public async Task Head_with_a_malformed_line_is_refused_before_it_ends(string unfinishedHead, RejectionReason reason)
    {
        await using var client = await RawHttpClient.ConnectAsync(fixture.Server.Endpoint);
        await client.SendAsync(unfinishedHead);

        var response = await client.ReadResponseAsync(timeout: ReadBound);

        var expected = RequestRejection.For(reason);
        Assert.Equal(expected.StatusCode, response.Status);
        Assert.Equal(expected.Message + "\n", response.BodyText);
        Assert.True(response.SaysClose);
        Assert.True(await client.IsClosedByServerAsync(ReadBound));
    }

    [Fact]
    public async Task Request_line_trickled_byte_by_byte_is_refused_at_the_wrong_byte()
    {
        await using var client = await RawHttpClient.ConnectAsync(fixture.Server.Endpoint);
        foreach (var c in "GET / HTTP/1.1")
        {
            await client.SendAsync(c.ToString());
        }

        Assert.True(await client.StaysSilentAsync(TimeSpan.FromMilliseconds(200)));
        await client.SendAsync("\0");

        var response = await client.ReadResponseAsync(timeout: ReadBound);

        Assert.Equal(400, response.Status);
        Assert.Equal(RequestRejection.For(RejectionReason.InvalidVersion).Message + "\n", response.BodyText);
        Assert.True(await client.IsClosedByServerAsync(ReadBound));
    }

    [Theory]
    [InlineData("exa mple.com")]
    [InlineData(":8080")]
    [InlineData("example.com:65536")]
    [InlineData("[::1")]
    public async Task Invalid_host_is_400_and_closes(string host)
    {
        await using var client = await RawHttpClient.ConnectAsync(fixture.Server.Endpoint);
        await client.SendAsync($"GET /hello HTTP/1.1\r\nHost: {host}\r\n\r\n");

        var response = await client.ReadResponseAsync(timeout: ReadBound);

        Assert.Equal(400, response.Status);
        Assert.Equal(RequestRejection.For(RejectionReason.InvalidHost).Message + "\n", response.BodyText);
        Assert.True(response.SaysClose);
        Assert.True(await client.IsClosedByServerAsync(ReadBound));
    }

    [Theory]
    [InlineData("localhost:8080")]
    [InlineData("[::1]:80")]
    [InlineData("xn--bcher-kva.example")]
    public async Task Valid_host_is_served(string host)
    {
        await using var client = await RawHttpClient.ConnectAsync(fixture.Server.Endpoint);
        await client.SendAsync($"GET /hello HTTP/1.1\r\nHost: {host}\r\n\r\n");

        var response = await client.ReadResponseAsync(timeout: ReadBound);

        Assert.Equal(200, response.Status);
        Assert.Equal("Hello, World!", response.BodyText);
    }
}
