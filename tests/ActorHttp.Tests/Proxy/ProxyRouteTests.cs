using ActorHttp.Handlers.Proxy;
using Akka.Configuration;

namespace ActorHttp.Tests.Proxy;

public sealed class ProxyRouteTests
{
    [Theory]
    [InlineData("http://up:81/", "", "", "http://up:81/")]
    [InlineData("http://up:81/", "a/b", "x=1", "http://up:81/a/b?x=1")]
    [InlineData("http://up:81/v1", "items/7", "", "http://up:81/v1/items/7")]
    [InlineData("http://up:81/slow?ms=5", "", "", "http://up:81/slow?ms=5")]
    [InlineData("http://up:81/slow?ms=5", "", "a=1", "http://up:81/slow?ms=5&a=1")]
    [InlineData("http://up:81/", "a b/c%2Fd", "", "http://up:81/a%20b/c%2Fd")]
    public void Target_appends_the_rest_and_joins_queries(string upstream, string rest, string query, string expected)
    {
        var route = new ProxyRoute("/p", new Uri(upstream), TimeSpan.FromSeconds(1));

        Assert.Equal(expected, route.TargetFor(rest, query).AbsoluteUri);
    }

    [Fact]
    public void Routes_are_read_from_hocon_with_self_replaced()
    {
        var config = ConfigurationFactory.ParseString("""
            actorhttp.proxy.routes = [
              { prefix = "/api", upstream = "http://10.0.0.5:5000/v1", timeout = 250ms }
              { prefix = "/me", upstream = "http://{self}/echo" }
            ]
            """);

        var routes = ProxyRoute.FromConfig(config, "127.0.0.1:4321");

        Assert.Equal(2, routes.Count);
        Assert.Equal(new ProxyRoute("/api", new Uri("http://10.0.0.5:5000/v1"), TimeSpan.FromMilliseconds(250)), routes[0]);
        Assert.Equal(new Uri("http://127.0.0.1:4321/echo"), routes[1].Upstream);
        Assert.Equal(TimeSpan.FromSeconds(30), routes[1].Timeout);
    }

    [Theory]
    [InlineData("""{ prefix = "api", upstream = "http://x/" }""", "must start with /")]
    [InlineData("""{ prefix = "/api/", upstream = "http://x/" }""", "must start with /")]
    [InlineData("""{ prefix = "/api", upstream = "ftp://x/" }""", "not an http(s) URL")]
    [InlineData("""{ prefix = "/api" }""", "has no upstream")]
    [InlineData("""{ upstream = "http://x/" }""", "has no prefix")]
    public void Bad_rules_are_refused_with_the_reason(string rule, string reason)
    {
        var config = ConfigurationFactory.ParseString($"actorhttp.proxy.routes = [ {rule} ]");

        var error = Assert.Throws<ConfigurationException>(() => ProxyRoute.FromConfig(config, "127.0.0.1:1"));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Hop_by_hop_fields_and_those_named_by_connection_are_not_forwarded()
    {
        KeyValuePair<string, string>[] fields =
        [
            new("Host", "a"), new("Connection", "keep-alive, X-Private"), new("X-Private", "1"),
            new("Keep-Alive", "timeout=5"), new("TE", "trailers"), new("Transfer-Encoding", "chunked"),
            new("Upgrade", "websocket"), new("Proxy-Authorization", "x"), new("Content-Length", "3"),
            new("Accept", "*/*"), new("X-Kept", "yes"),
        ];

        var forwarded = ProxyHeaders.EndToEnd(fields).Select(f => f.Key).ToArray();

        Assert.Equal(["Host", "Accept", "X-Kept"], forwarded);
    }

    [Fact]
    public void Forwarded_for_appends_to_an_existing_chain()
    {
        var fields = ProxyHeaders.Forwarded("203.0.113.7", "127.0.0.1", "example.org").ToDictionary(f => f.Key, f => f.Value);

        Assert.Equal("203.0.113.7, 127.0.0.1", fields["X-Forwarded-For"]);
        Assert.Equal("http", fields["X-Forwarded-Proto"]);
        Assert.Equal("example.org", fields["X-Forwarded-Host"]);
    }
}
