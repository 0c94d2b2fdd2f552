using System.Net;
using ActorHttp.Actors;
using ActorHttp.Hosting;
using ActorHttp.Routing;
using Akka.Configuration;

namespace ActorHttp.Tests.RateLimiting;

/// <summary><c>actorhttp.rate-limits</c>: parsing, the refusal of bad values, prefix matching and the choice of key.</summary>
public sealed class RateLimitRuleTests
{
    private static IReadOnlyList<RateLimitRule> Parse(string hocon) =>
        ServerSettings.FromConfig(ServerConfiguration.Load(overrides: hocon)).RateLimits;

    [Fact]
    public void Rate_limits_are_off_by_default()
    {
        Assert.Empty(ServerSettings.FromConfig(ServerConfiguration.Defaults).RateLimits);
        Assert.True(new RateLimits([]).IsEmpty);
    }

    [Fact]
    public void A_full_rule_is_read_as_written()
    {
        var rules = Parse("""actorhttp.rate-limits = [ { prefix = "/api", rate = 2, period = 500ms, burst = 7, key = user, max-keys = 300 } ]""");

        Assert.Equal([new RateLimitRule("/api", 2, TimeSpan.FromMilliseconds(500), 7, RateLimitKey.User, 300)], rules);
    }

    [Fact]
    public void Omitted_keys_take_their_defaults()
    {
        var rule = Assert.Single(Parse("""actorhttp.rate-limits = [ { prefix = "/api", rate = 5 } ]"""));

        Assert.Equal(new RateLimitRule("/api", 5, TimeSpan.FromSeconds(1), 5, RateLimitKey.Client, RateLimitRule.DefaultMaxKeys), rule);
    }

    [Theory]
    [InlineData("""{ rate = 5 }""", "a rule has no prefix")]
    [InlineData("""{ prefix = "api", rate = 5 }""", "prefix must start with /")]
    [InlineData("""{ prefix = "/api" }""", "rate is missing")]
    [InlineData("""{ prefix = "/api", rate = fast }""", "rate has an invalid value")]
    [InlineData("""{ prefix = "/api", rate = 0 }""", "rate must be positive")]
    [InlineData("""{ prefix = "/api", rate = 5, period = soon }""", "period has an invalid value")]
    [InlineData("""{ prefix = "/api", rate = 5, period = 0s }""", "period must be at least 1ms")]
    [InlineData("""{ prefix = "/api", rate = 5, burst = lots }""", "burst has an invalid value")]
    [InlineData("""{ prefix = "/api", rate = 5, burst = 4 }""", "burst (4) must be at least rate (5)")]
    [InlineData("""{ prefix = "/api", rate = 5, key = ip }""", "key must be \"client\" or \"user\", not \"ip\"")]
    [InlineData("""{ prefix = "/api", rate = 5, max-keys = 0 }""", "max-keys must be positive")]
    [InlineData("""{ prefix = "/api", rate = 5, max-keys = many }""", "max-keys has an invalid value")]
    public void An_invalid_rule_is_refused_naming_the_rule_and_the_key(string rule, string problem)
    {
        var error = Assert.Throws<ConfigurationException>(() => Parse($"actorhttp.rate-limits = [ {rule} ]"));

        Assert.StartsWith("actorhttp.rate-limits: ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Theory]
    [InlineData("/api", "/api")]
    [InlineData("/api/items", "/api")]
    [InlineData("/api/login", "/api/login")]
    [InlineData("/api/login/again", "/api/login")]
    [InlineData("/apix", null)]
    [InlineData("/", null)]
    public void The_most_specific_prefix_wins(string path, string? expected)
    {
        using var limits = new RateLimits(Parse("""
            actorhttp.rate-limits = [
              { prefix = "/api", rate = 10 }
              { prefix = "/api/login", rate = 1 }
            ]
            """));

        Assert.Equal(expected, limits.For(path)?.Rule.Prefix);
    }

    [Fact]
    public void A_client_rule_counts_the_address_even_for_a_user()
    {
        var rule = Rule(RateLimitKey.Client);

        Assert.Equal(IPAddress.Loopback, rule.KeyFor(IPAddress.Loopback, "ann"));
    }

    [Fact]
    public void A_user_rule_counts_the_user_and_anonymous_requests_by_address()
    {
        var rule = Rule(RateLimitKey.User);

        Assert.Equal("ann", rule.KeyFor(IPAddress.Loopback, "ann"));
        Assert.Equal("ann", rule.KeyFor(IPAddress.Parse("10.0.0.9"), "ann"));
        Assert.Equal(IPAddress.Loopback, rule.KeyFor(IPAddress.Loopback, null));
    }

    [Fact]
    public void A_user_named_like_an_address_does_not_share_that_address_bucket()
    {
        var rule = Rule(RateLimitKey.User);

        Assert.NotEqual(rule.KeyFor(null, "127.0.0.1"), rule.KeyFor(IPAddress.Loopback, null));
    }

    [Fact]
    public void Requests_without_an_address_share_one_bucket()
    {
        var rule = Rule(RateLimitKey.Client);

        Assert.Same(rule.KeyFor(null, null), rule.KeyFor(null, "ann"));
    }

    [Fact]
    public void Too_many_requests_says_when_to_come_back_in_whole_seconds()
    {
        var response = RateLimits.TooManyRequests(Rule(RateLimitKey.Client), TimeSpan.FromMilliseconds(1200));

        Assert.Equal(429, response.StatusCode);
        Assert.Contains(new KeyValuePair<string, string>("Retry-After", "2"), response.Headers);
        Assert.Equal("Too many requests under /api: try again in 2 s.\n", System.Text.Encoding.UTF8.GetString(response.Body.Span));
        Assert.Contains(new KeyValuePair<string, string>("Retry-After", "1"), RateLimits.TooManyRequests(Rule(RateLimitKey.Client), TimeSpan.FromMilliseconds(200)).Headers);
    }

    private static RateLimitRule Rule(RateLimitKey key) => new("/api", 1, TimeSpan.FromSeconds(1), 1, key, 10);
}
