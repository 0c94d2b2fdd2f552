using ActorHttp.Routing;
using Akka.Configuration;

namespace ActorHttp.Handlers.Auth;

/// <summary>
/// Who may reach the paths under <see cref="Prefix"/>: users authenticated by one of
/// <see cref="Schemes"/> (<c>basic</c>, <c>bearer</c>) holding every role in <see cref="Roles"/>
/// (none: any authenticated user).
/// </summary>
public sealed record AuthRule(string Prefix, IReadOnlyList<string> Schemes, string Realm, IReadOnlyList<string> Roles)
{
    public bool Covers(string path) => PathPrefix.Covers(Prefix, path);
}

/// <summary>The <c>actorhttp.auth</c> section: the rules, the users file and the bearer tokens.</summary>
public sealed record AuthSettings(IReadOnlyList<AuthRule> Rules, UserStore Users)
{
    public static AuthSettings None { get; } = new([], UserStore.Empty);

    /// <summary>The most specific rule covering the path (the longest prefix), if any.</summary>
    public AuthRule? RuleFor(string path) => PathPrefix.MostSpecific(Rules, static rule => rule.Prefix, path);

    /// <summary>
    /// Reads <c>actorhttp.auth</c>, adding <paramref name="extraRules"/> and <paramref name="extraUserLines"/>
    /// (the demo's). A relative <c>users-file</c> is looked up in the working directory, then beside the executable.
    /// </summary>
    public static AuthSettings FromConfig(Config root, IEnumerable<AuthRule>? extraRules = null, IEnumerable<string>? extraUserLines = null)
    {
        var auth = root.GetConfig("actorhttp.auth") ?? Config.Empty;
        var rules = new List<AuthRule>(extraRules ?? []);
        foreach (var entry in auth.GetValue("rules")?.GetArray() ?? [])
        {
            var rule = entry.GetObject();
            var prefix = rule.GetKey("prefix")?.GetString() ?? throw new ConfigurationException("actorhttp.auth.rules: a rule has no prefix");
            var schemes = rule.GetKey("schemes")?.GetStringList()?.Select(s => s.ToLowerInvariant()).ToArray() ?? ["basic"];
            if (!prefix.StartsWith('/') || schemes.Length == 0 || schemes.Any(s => s is not ("basic" or "bearer")))
            {
                throw new ConfigurationException($"actorhttp.auth.rules: {prefix}: the prefix must start with / and schemes be \"basic\" and/or \"bearer\"");
            }

            rules.Add(new AuthRule(
                prefix,
                schemes,
                rule.GetKey("realm")?.GetString() ?? "ActorHttp",
                rule.GetKey("roles")?.GetStringList()?.ToArray() ?? []));
        }

        var usersFile = auth.GetString("users-file", string.Empty);
        var lines = new List<string>(extraUserLines ?? []);
        if (!string.IsNullOrEmpty(usersFile))
        {
            var path = File.Exists(usersFile) ? usersFile : Path.Combine(AppContext.BaseDirectory, usersFile);
            if (!File.Exists(path))
            {
                throw new ConfigurationException($"actorhttp.auth.users-file: {usersFile} not found");
            }

            lines.AddRange(File.ReadAllLines(path));
        }

        var tokens = new Dictionary<string, Principal>();
        foreach (var entry in auth.GetValue("tokens")?.GetArray() ?? [])
        {
            var token = entry.GetObject();
            var sha256 = token.GetKey("sha256")?.GetString() ?? throw new ConfigurationException("actorhttp.auth.tokens: a token has no sha256");
            var user = token.GetKey("user")?.GetString() ?? throw new ConfigurationException("actorhttp.auth.tokens: a token has no user");
            tokens[sha256] = new Principal(user, token.GetKey("roles")?.GetStringList()?.ToArray() ?? []);
        }

        try
        {
            return new AuthSettings(rules, new UserStore(lines, tokens));
        }
        catch (FormatException error)
        {
            throw new ConfigurationException($"actorhttp.auth.users-file {usersFile}: {error.Message}");
        }
    }
}
