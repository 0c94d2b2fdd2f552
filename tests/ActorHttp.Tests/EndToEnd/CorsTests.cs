using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.EndToEnd;

/// <summary>CORS (Fetch standard) for a configured prefix: preflights and the grant on actual answers.</summary>
public sealed class CorsTests : IAsyncLifetime
{
    private ActorHttp.Hosting.ActorHttpServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync("""
        actorhttp.cors = [
          { prefix = "/echo", origins = ["https://app.example"], methods = ["GET", "PUT"], headers = ["Content-Type", "X-Token"], max-age = 120s }
          { prefix = "/echo/open", origins = ["*"] }
          { prefix = "/echo/creds", origins = ["*"], credentials = true }
        ]
        """);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<RawResponse> SendAsync(string request)
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync(request);
        return await client.ReadResponseAsync();
    }

    [Fact]
    public async Task An_allowed_preflight_gets_the_grants()
    {
        var response = await SendAsync("OPTIONS /echo/items HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example\r\nAccess-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: content-type, x-token\r\n\r\n");

        Assert.Equal(204, response.Status);
        Assert.Equal("https://app.example", response.Header("Access-Control-Allow-Origin"));
        Assert.Equal("GET, PUT", response.Header("Access-Control-Allow-Methods"));
        Assert.Equal("Content-Type, X-Token", response.Header("Access-Control-Allow-Headers"));
        Assert.Equal("120", response.Header("Access-Control-Max-Age"));
        Assert.Equal("Origin", response.Header("Vary"));
        Assert.Null(response.Header("Access-Control-Allow-Credentials"));
    }

    [Theory]
    [InlineData("https://evil.example", "PUT", "", "origin https://evil.example")]
    [InlineData("https://app.example", "DELETE", "", "method DELETE")]
    [InlineData("https://app.example", "GET", "X-Other", "header X-Other")]
    public async Task A_refused_preflight_is_403_saying_why(string origin, string method, string headers, string reason)
    {
        var requestHeaders = headers.Length == 0 ? string.Empty : $"Access-Control-Request-Headers: {headers}\r\n";
        var response = await SendAsync($"OPTIONS /echo/items HTTP/1.1\r\nHost: x\r\nOrigin: {origin}\r\nAccess-Control-Request-Method: {method}\r\n{requestHeaders}\r\n");

        Assert.Equal(403, response.Status);
        Assert.Null(response.Header("Access-Control-Allow-Origin"));
        Assert.Contains(reason, response.BodyText);
    }

    [Fact]
    public async Task An_actual_request_from_an_allowed_origin_is_granted()
    {
        var response = await SendAsync("GET /echo/items HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example\r\n\r\n");

        Assert.Equal(200, response.Status);
        Assert.Equal("https://app.example", response.Header("Access-Control-Allow-Origin"));
        Assert.Contains(response.Headers, h => h.Key == "Vary" && h.Value == "Origin");
    }

    [Fact]
    public async Task Other_origins_and_same_origin_requests_get_no_grant()
    {
        var foreign = await SendAsync("GET /echo/items HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\n\r\n");
        var sameOrigin = await SendAsync("GET /echo/items HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal(200, foreign.Status);
        Assert.Null(foreign.Header("Access-Control-Allow-Origin"));
        Assert.Null(sameOrigin.Header("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Wildcard_origins_answer_star_unless_credentials_are_allowed()
    {
        var open = await SendAsync("GET /echo/open/x HTTP/1.1\r\nHost: x\r\nOrigin: https://any.example\r\n\r\n");
        var withCredentials = await SendAsync("GET /echo/creds/x HTTP/1.1\r\nHost: x\r\nOrigin: https://any.example\r\n\r\n");

        Assert.Equal("*", open.Header("Access-Control-Allow-Origin"));
        Assert.Equal("https://any.example", withCredentials.Header("Access-Control-Allow-Origin"));
        Assert.Equal("true", withCredentials.Header("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task A_plain_options_without_preflight_headers_is_answered_by_the_route_table()
    {
        var response = await SendAsync("OPTIONS /echo/items HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal(200, response.Status);
        Assert.Contains("\"method\":\"OPTIONS\"", response.BodyText);
    }
}
