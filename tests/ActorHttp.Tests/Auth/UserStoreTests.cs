using ActorHttp.Handlers.Auth;
using Akka.Configuration;

namespace ActorHttp.Tests.Auth;

public sealed class UserStoreTests
{
    [Fact]
    public void A_hashed_line_verifies_its_password_only()
    {
        var store = new UserStore([UserStore.HashLine("ann", "s3cret", ["user", "admin"], iterations: 1000)], new Dictionary<string, Principal>());

        var ann = store.VerifyPassword("ann", "s3cret");

        Assert.NotNull(ann);
        Assert.Equal(["user", "admin"], ann.Roles);
        Assert.Null(store.VerifyPassword("ann", "S3cret"));
        Assert.Null(store.VerifyPassword("bob", "s3cret"));
    }

    [Fact]
    public void The_same_password_hashes_differently_each_time()
    {
        Assert.NotEqual(UserStore.HashLine("a", "p", [], 1000).Split(':')[3], UserStore.HashLine("a", "p", [], 1000).Split(':')[3]);
    }

    [Fact]
    public void Tokens_are_found_by_their_sha256()
    {
        var store = new UserStore([], new Dictionary<string, Principal> { [UserStore.TokenHash("tok-123")] = new("ci", ["admin"]) });

        Assert.Equal("ci", store.VerifyToken("tok-123")?.Name);
        Assert.Null(store.VerifyToken("tok-124"));
    }

    [Fact]
    public void Comments_and_blank_lines_are_skipped_and_bad_lines_named()
    {
        var store = new UserStore(["# users", "", UserStore.HashLine("ann", "x", [], 1000)], new Dictionary<string, Principal>());
        Assert.NotNull(store.VerifyPassword("ann", "x"));

        var error = Assert.Throws<FormatException>(() => new UserStore(["# header", "ann:notanumber:a:b:c"], new Dictionary<string, Principal>()));
        Assert.Contains("line 2", error.Message);
    }

    [Fact]
    public void The_most_specific_rule_covers_a_path()
    {
        var settings = new AuthSettings(
        [
            new AuthRule("/private", ["basic"], "r", []),
            new AuthRule("/private/admin", ["basic"], "r", ["admin"]),
        ], UserStore.Empty);

        Assert.Equal("/private", settings.RuleFor("/private")?.Prefix);
        Assert.Equal("/private", settings.RuleFor("/private/")?.Prefix);
        Assert.Equal("/private", settings.RuleFor("/private/notes")?.Prefix);
        Assert.Equal("/private/admin", settings.RuleFor("/private/admin/users")?.Prefix);
        Assert.Null(settings.RuleFor("/privateer"));
        Assert.Null(settings.RuleFor("/"));
    }

    [Fact]
    public void Rules_users_and_tokens_come_from_hocon()
    {
        var usersFile = Path.GetTempFileName();
        File.WriteAllLines(usersFile, [UserStore.HashLine("ann", "pw", ["ops"], 1000)]);
        try
        {
            var config = ConfigurationFactory.ParseString($$"""
                actorhttp.auth {
                  rules = [ { prefix = "/ops", schemes = ["basic", "bearer"], realm = "ops", roles = ["ops"] } ]
                  users-file = "{{usersFile}}"
                  tokens = [ { sha256 = "{{UserStore.TokenHash("t")}}", user = "bot", roles = ["ops"] } ]
                }
                """);

            var settings = AuthSettings.FromConfig(config);

            Assert.Equal(new[] { "basic", "bearer" }, settings.Rules.Single().Schemes);
            Assert.Equal(["ops"], settings.Rules.Single().Roles);
            Assert.NotNull(settings.Users.VerifyPassword("ann", "pw"));
            Assert.Equal("bot", settings.Users.VerifyToken("t")?.Name);
        }
        finally
        {
            File.Delete(usersFile);
        }
    }

    [Theory]
    [InlineData("""rules = [ { prefix = "ops" } ]""", "must start with /")]
    [InlineData("""rules = [ { prefix = "/ops", schemes = ["digest"] } ]""", "schemes")]
    [InlineData("""users-file = "/nonexistent/users.txt" """, "not found")]
    [InlineData("""tokens = [ { user = "x" } ]""", "no sha256")]
    public void Bad_auth_settings_are_refused_with_the_reason(string hocon, string reason)
    {
        var config = ConfigurationFactory.ParseString($"actorhttp.auth {{ {hocon} }}");

        var error = Assert.Throws<ConfigurationException>(() => AuthSettings.FromConfig(config));
        Assert.Contains(reason, error.Message);
    }
}
