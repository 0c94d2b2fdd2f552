using ActorHttp.Handlers.Auth;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.EndToEnd;

/// <summary>
/// <c>actorhttp.rate-limits</c> over real sockets: a burst, then 429 with Retry-After on a connection
/// that stays usable; other prefixes untouched; per-user buckets behind authentication.
/// </summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private ActorHttp.Hosting.ActorHttpServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync($$"""
        actorhttp.rate-limits = [
          { prefix = "/echo/limited", rate = 2, period = 1s, burst = 3 }
          { prefix = "/echo/users", rate = 1, period = 1m, burst = 2, key = user }
        ]
        actorhttp.auth {
          rules = [ { prefix = "/echo/users", schemes = ["bearer"], realm = "users" } ]
          tokens = [
            { sha256 = "{{UserStore.TokenHash("ann-token")}}", user = "ann" }
            { sha256 = "{{UserStore.TokenHash("bob-token")}}", user = "bob" }
          ]
        }
        """);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string Get(string path, string? token = null) =>
        $"GET {path} HTTP/1.1\r\nHost: x\r\n{(token is null ? string.Empty : $"Authorization: Bearer {token}\r\n")}\r\n";

    private static async Task<int[]> BurstAsync(RawHttpClient client, int count, string path, string? token = null)
    {
        // Pipelined in one write, so the burst arrives well within one refill period.
        await client.SendAsync(string.Concat(Enumerable.Repeat(Get(path, token), count)));
        var statuses = new int[count];
        for (var i = 0; i < count; i++)
        {
            statuses[i] = (await client.ReadResponseAsync()).Status;
        }

        return statuses;
    }

    [Fact]
    public async Task A_burst_over_the_limit_gets_429_with_retry_after_and_the_connection_stays_usable()
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync(string.Concat(Enumerable.Repeat(Get("/echo/limited/x"), 4)));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        }

        var refused = await client.ReadResponseAsync();
        Assert.Equal(429, refused.Status);
        Assert.Equal("HTTP/1.1 429 Too Many Requests", refused.StatusLine);
        Assert.True(int.TryParse(refused.Header("Retry-After"), out var seconds) && seconds >= 1, refused.Header("Retry-After"));
        Assert.Equal("Too many requests under /echo/limited: try again in 1 s.\n", refused.BodyText);
        Assert.False(refused.SaysClose);

        // The same connection goes on: other prefixes answer, and after Retry-After the limited one does again.
        await client.SendAsync(Get("/hello"));
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while ((await BurstAsync(client, 1, "/echo/limited/x"))[0] == 429)
        {
            Assert.True(DateTime.UtcNow < deadline, "no token came back within 10 s of Retry-After");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task The_bucket_belongs_to_the_client_address_not_the_connection()
    {
        await using var first = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await using var second = await RawHttpClient.ConnectAsync(_server.Endpoint);

        Assert.Equal(new[] { 200, 200, 200 }, await BurstAsync(first, 3, "/echo/limited"));
        Assert.Equal(429, (await BurstAsync(second, 1, "/echo/limited"))[0]);
    }

    [Fact]
    public async Task Paths_under_no_rule_are_never_limited()
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);

        Assert.All(await BurstAsync(client, 12, "/echo/elsewhere"), status => Assert.Equal(200, status));
        Assert.All(await BurstAsync(client, 12, "/echo/limitedness"), status => Assert.Equal(200, status));
    }

    [Fact]
    public async Task Two_users_have_separate_buckets_and_strangers_are_refused_before_counting()
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);

        // A user's bucket is counted after authentication, which may finish out of request order
        // for pipelined requests: which of the three is refused is not fixed, how many is.
        Assert.Equal(new[] { 200, 200, 429 }, (await BurstAsync(client, 3, "/echo/users/x", "ann-token")).Order());
        Assert.Equal(new[] { 200, 200, 429 }, (await BurstAsync(client, 3, "/echo/users/x", "bob-token")).Order());
        Assert.Equal(401, (await BurstAsync(client, 1, "/echo/users/x"))[0]);
    }

    [Fact]
    public async Task An_authenticated_request_within_the_limit_reaches_its_handler_with_its_user()
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync(Get("/echo/users/me", "ann-token"));

        var response = await client.ReadResponseAsync();

        Assert.Equal(200, response.Status);
        Assert.Contains("\"path\":\"/echo/users/me\"", response.BodyText);
    }

    [Fact]
    public async Task The_demo_limits_its_limited_route_to_bursts_of_five()
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);

        Assert.Equal(new[] { 200, 200, 200, 200, 200, 429 }, await BurstAsync(client, 6, "/limited"));
    }
}
