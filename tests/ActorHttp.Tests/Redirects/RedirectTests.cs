using ActorHttp.Handlers.Redirects;
using ActorHttp.Tests.Support;
using Akka.Configuration;

namespace ActorHttp.Tests.Redirects;

/// <summary>RFC 9110 §15.4 redirects: the demo's and configured rules, over real sockets.</summary>
public sealed class RedirectTests : IAsyncLifetime
{
    private ActorHttp.Hosting.ActorHttpServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync("""
        actorhttp.redirects = [
          { from = "/docs/{*rest}", to = "https://docs.example/v2/{rest}", status = 308 }
          { from = "/search", to = "/echo?source=old", status = 307 }
          { from = "/gone-default", to = "/hello" }
        ]
        """);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<RawResponse> SendAsync(string method, string target)
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync($"{method} {target} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        return await client.ReadResponseAsync();
    }

    [Theory]
    [InlineData("/old", 301, "/")]
    [InlineData("/temporary", 302, "/")]
    [InlineData("/old?page=2", 301, "/?page=2")]
    [InlineData("/docs/guide/intro", 308, "https://docs.example/v2/guide/intro")]
    [InlineData("/docs", 308, "https://docs.example/v2/")]
    [InlineData("/search?q=actors", 307, "/echo?source=old&q=actors")]
    [InlineData("/gone-default", 301, "/hello")]
    public async Task Rules_answer_their_status_and_location(string target, int status, string location)
    {
        var response = await SendAsync("GET", target);

        Assert.Equal(status, response.Status);
        Assert.Equal(location, response.Header("Location"));
        Assert.Contains("Moved to", response.BodyText);
    }

    [Fact]
    public async Task Any_method_is_redirected_and_the_page_escapes_the_location()
    {
        var response = await SendAsync("POST", "/search?q=%3Cb%3E");

        Assert.Equal(307, response.Status);
        Assert.DoesNotContain("<b>", response.BodyText);
    }

    [Theory]
    [InlineData("""{ from = "/a", to = "/b", status = 200 }""", "not a redirect")]
    [InlineData("""{ from = "a", to = "/b" }""", "must start with /")]
    [InlineData("""{ from = "/a", to = "b c" }""", "path or an absolute URL")]
    [InlineData("""{ to = "/b" }""", "has no from")]
    public void Bad_rules_are_refused_at_start(string rule, string reason)
    {
        var config = ConfigurationFactory.ParseString($"actorhttp.redirects = [ {rule} ]");

        var error = Assert.Throws<ConfigurationException>(() => RedirectRule.FromConfig(config));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public async Task A_server_with_a_bad_rule_does_not_start()
    {
        await Assert.ThrowsAsync<ConfigurationException>(() => TestServer.StartAsync("""actorhttp.redirects = [ { from = "/a", to = "/b", status = 303 } ]"""));
    }
}
