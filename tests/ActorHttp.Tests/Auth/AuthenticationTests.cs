using System.Text;
using ActorHttp.Handlers.Auth;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Auth;

/// <summary>RFC 9110 §11 (HTTP authentication) over real sockets: the demo's /private area and configured rules.</summary>
public sealed class AuthenticationTests(DefaultServerFixture fixture) : IClassFixture<DefaultServerFixture>
{
    private static string Basic(string user, string password) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    private async Task<RawResponse> GetAsync(string path, string? authorization, ActorHttp.Hosting.ActorHttpServer? server = null)
    {
        await using var client = await RawHttpClient.ConnectAsync((server ?? fixture.Server).Endpoint);
        var header = authorization is null ? string.Empty : $"Authorization: {authorization}\r\n";
        await client.SendAsync($"GET {path} HTTP/1.1\r\nHost: x\r\n{header}\r\n");
        return await client.ReadResponseAsync();
    }

    [Fact]
    public async Task Without_credentials_the_answer_is_401_with_a_challenge_per_scheme()
    {
        var response = await GetAsync("/private/", null);

        Assert.Equal(401, response.Status);
        var challenges = response.Headers.Where(h => h.Key == "WWW-Authenticate").Select(h => h.Value).ToArray();
        Assert.Equal(["Basic realm=\"ActorHttp demo\", charset=\"UTF-8\"", "Bearer realm=\"ActorHttp demo\""], challenges);
    }

    [Theory]
    [InlineData("demo", "wrong")]
    [InlineData("nobody", "demo")]
    [InlineData("demo", "")]
    public async Task Wrong_credentials_are_401(string user, string password)
    {
        Assert.Equal(401, (await GetAsync("/private/", Basic(user, password))).Status);
    }

    [Theory]
    [InlineData("Basic not-base64!")]
    [InlineData("Basic ")]
    [InlineData("Digest username=demo")]
    [InlineData("demo:demo")]
    public async Task Malformed_or_foreign_credentials_are_401(string authorization)
    {
        Assert.Equal(401, (await GetAsync("/private/", authorization)).Status);
    }

    [Fact]
    public async Task The_demo_user_gets_in_and_is_greeted()
    {
        var response = await GetAsync("/private/", Basic("demo", "demo"));

        Assert.Equal(200, response.Status);
        Assert.Equal("Hello, demo! Roles: user.\n", response.BodyText);
    }

    [Fact]
    public async Task A_known_user_without_the_role_is_403()
    {
        var response = await GetAsync("/private/admin", Basic("demo", "demo"));

        Assert.Equal(403, response.Status);
        Assert.Null(response.Header("WWW-Authenticate"));
    }

    [Fact]
    public async Task Unprotected_routes_need_no_credentials()
    {
        Assert.Equal(200, (await GetAsync("/hello", null)).Status);
    }

    [Fact]
    public async Task Configured_bearer_tokens_and_roles_are_honoured()
    {
        await using var server = await TestServer.StartAsync($$"""
            actorhttp.auth {
              rules = [ { prefix = "/echo/ops", schemes = ["bearer"], realm = "ops", roles = ["ops"] } ]
              tokens = [
                { sha256 = "{{UserStore.TokenHash("good-token")}}", user = "bot", roles = ["ops"] }
                { sha256 = "{{UserStore.TokenHash("weak-token")}}", user = "intern", roles = [] }
              ]
            }
            """);

        Assert.Equal(200, (await GetAsync("/echo/ops/status", "Bearer good-token", server)).Status);
        Assert.Equal(403, (await GetAsync("/echo/ops/status", "Bearer weak-token", server)).Status);
        var missing = await GetAsync("/echo/ops/status", "Bearer bad-token", server);
        Assert.Equal(401, missing.Status);
        Assert.Equal("Bearer realm=\"ops\"", missing.Header("WWW-Authenticate"));
        // Basic is not among this rule's schemes: even the demo user is not let in.
        Assert.Equal(401, (await GetAsync("/echo/ops/status", Basic("demo", "demo"), server)).Status);
        Assert.Equal(200, (await GetAsync("/echo/other", null, server)).Status);
    }
}
