using System.Net;
using ActorHttp.Observability;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Observability;

/// <summary>X-Forwarded-For believed only from a trusted proxy, and then its rightmost untrusted hop is the client.</summary>
public sealed class TrustedProxiesTests
{
    private static readonly TrustedProxies Proxies = TrustedProxies.Parse(["127.0.0.1", "10.0.0.0/8", "fd00::/8"]);

    [Theory]
    [InlineData("127.0.0.1", "203.0.113.9", "203.0.113.9")]
    [InlineData("127.0.0.1", "198.51.100.1, 203.0.113.9", "203.0.113.9")]
    [InlineData("127.0.0.1", "198.51.100.1, 203.0.113.9, 10.1.2.3", "203.0.113.9")]
    [InlineData("127.0.0.1", "10.0.0.5, 10.1.2.3", "10.0.0.5")]
    [InlineData("127.0.0.1", "[2001:db8::7]:5000", "2001:db8::7")]
    [InlineData("127.0.0.1", "203.0.113.9:4711", "203.0.113.9")]
    [InlineData("127.0.0.1", "garbage, 203.0.113.9", "203.0.113.9")]
    [InlineData("127.0.0.1", "203.0.113.9, garbage", "127.0.0.1")]
    [InlineData("192.0.2.50", "203.0.113.9", "192.0.2.50")]
    [InlineData("::ffff:127.0.0.1", "203.0.113.9", "203.0.113.9")]
    [InlineData("fd12::1", "2001:db8::1", "2001:db8::1")]
    public void The_client_is_the_rightmost_untrusted_hop_and_only_behind_a_trusted_peer(string peer, string forwardedFor, string client) =>
        Assert.Equal(IPAddress.Parse(client), Proxies.ClientOf(IPAddress.Parse(peer), forwardedFor));

    [Fact]
    public void Without_the_field_or_without_trusted_proxies_the_peer_is_the_client()
    {
        Assert.Equal(IPAddress.Loopback, Proxies.ClientOf(IPAddress.Loopback, null));
        Assert.Equal(IPAddress.Loopback, TrustedProxies.None.ClientOf(IPAddress.Loopback, "203.0.113.9"));
    }

    [Fact]
    public void A_bad_entry_is_refused_naming_it()
    {
        var error = Assert.Throws<Akka.Configuration.ConfigurationException>(() => TrustedProxies.Parse(["10.0.0.0/8", "proxy.local"]));
        Assert.Contains("proxy.local", error.Message);
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_forwarded_client_is_logged_and_seen_by_handlers_and_rate_limits()
    {
        var log = new CollectingSink();
        await using var server = await ObservedServer.StartAsync(log, """
            actorhttp.server.trusted-proxies = ["127.0.0.1"]
            """);
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await client.SendAsync("GET /echo/who HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 198.51.100.1, 203.0.113.9\r\nX-Request-Id: forwarded-1\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);

        var line = await ObservedServer.WaitForEventAsync(log, e => ObservedServer.IsAccessLine(e) && ObservedServer.Text(e, "RequestId") == "forwarded-1");
        Assert.Equal("203.0.113.9", ObservedServer.Text(line, "ClientAddress"));
    }

    [Fact]
    public async Task Without_trust_the_field_is_ignored()
    {
        var log = new CollectingSink();
        await using var server = await ObservedServer.StartAsync(log);
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await client.SendAsync("GET /hello HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 203.0.113.9\r\nX-Request-Id: unforwarded-1\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);

        var line = await ObservedServer.WaitForEventAsync(log, e => ObservedServer.IsAccessLine(e) && ObservedServer.Text(e, "RequestId") == "unforwarded-1");
        Assert.Equal("127.0.0.1", ObservedServer.Text(line, "ClientAddress"));
    }
}
