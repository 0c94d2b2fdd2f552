using ActorHttp.Handlers;
using ActorHttp.Protocol;
using ActorHttp.Tests.Support;
using Akka.Actor;

namespace ActorHttp.Tests.EndToEnd;

/// <summary>Virtual hosts (RFC 9110 §7.2: the Host field names the target host), picked the way nginx picks a server block.</summary>
public sealed class VirtualHostTests : IAsyncLifetime
{
    private ActorHttp.Hosting.ActorHttpServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(
        $$"""actorhttp.proxy.routes = [ { prefix = "/via-proxy", upstream = "http://{self}/hello", hosts = ["proxy.example"] } ]""",
        routes => routes
            .ForHosts(["api.example.com"], api => api
                .MapGet("/", Props.Create(() => new FixedTextHandler("api root")))
                .MapGet("/hello", Props.Create(() => new FixedTextHandler("api hello"))))
            .ForHosts(["*.example.org", "other.example"], shop => shop
                .MapGet("/", Props.Create(() => new FixedTextHandler("shop root")))));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<RawResponse> GetAsync(string path, string host)
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync($"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n");
        return await client.ReadResponseAsync();
    }

    [Theory]
    [InlineData("api.example.com", "/hello", 200, "api hello")]
    [InlineData("API.Example.com:8080", "/hello", 200, "api hello")]
    [InlineData("api.example.com", "/", 200, "api root")]
    [InlineData("www.example.org", "/", 200, "shop root")]
    [InlineData("a.b.example.org", "/", 200, "shop root")]
    [InlineData("other.example", "/", 200, "shop root")]
    [InlineData("localhost", "/hello", 200, "Hello, World!")]
    [InlineData("example.org", "/hello", 200, "Hello, World!")]
    [InlineData("[::1]:80", "/hello", 200, "Hello, World!")]
    public async Task The_host_field_picks_the_routes(string host, string path, int status, string body)
    {
        var response = await GetAsync(path, host);

        Assert.Equal(status, response.Status);
        Assert.Equal(body, response.BodyText);
    }

    [Fact]
    public async Task A_virtual_host_serves_only_its_own_routes()
    {
        // /json exists for other hosts, but not in api.example.com's routes.
        Assert.Equal(404, (await GetAsync("/json", "api.example.com")).Status);
        Assert.Equal(200, (await GetAsync("/json", "localhost")).Status);
    }

    [Fact]
    public async Task Proxy_rules_can_be_bound_to_a_host_in_hocon()
    {
        var bound = await GetAsync("/via-proxy", "proxy.example");
        var elsewhere = await GetAsync("/via-proxy", "localhost");

        Assert.Equal("Hello, World!", bound.BodyText);
        Assert.Equal(404, elsewhere.Status);
    }
}

/// <summary>Answers a fixed text, to tell which route table served a request.</summary>
public sealed class FixedTextHandler(string text) : HttpHandlerActor
{
    protected override void OnRequest(RequestContext context) => context.Respond(HttpResponse.Text(200, text));
}
