using Akka.Configuration;

namespace ActorHttp.Handlers.Redirects;

/// <summary>
/// Requests for <see cref="From"/> are sent to <see cref="To"/> with <see cref="Status"/>. A
/// <c>From</c> ending in <c>/{*rest}</c> covers everything below it, and <c>{rest}</c> in
/// <c>To</c> is replaced by what followed. <c>To</c> may be a path (a relative Location, RFC 9110
/// §10.2.2) or an absolute URL.
/// </summary>
public sealed record RedirectRule(string From, string To, int Status)
{
    private static readonly int[] RedirectStatuses = [301, 302, 307, 308];

    public static IReadOnlyList<RedirectRule> FromConfig(Config root)
    {
        var rules = new List<RedirectRule>();
        foreach (var entry in root.GetValue("actorhttp.redirects")?.GetArray() ?? [])
        {
            var rule = entry.GetObject();
            var from = rule.GetKey("from")?.GetString() ?? throw new ConfigurationException("actorhttp.redirects: a rule has no from");
            var to = rule.GetKey("to")?.GetString() ?? throw new ConfigurationException($"actorhttp.redirects: {from} has no to");
            var status = rule.GetKey("status")?.GetInt() ?? 301;
            rules.Add(Validated(new RedirectRule(from, to, status)));
        }

        return rules;
    }

    /// <summary>Refuses a rule that could not work, naming it.</summary>
    public static RedirectRule Validated(RedirectRule rule)
    {
        if (!RedirectStatuses.Contains(rule.Status))
        {
            throw new ConfigurationException($"actorhttp.redirects: {rule.From}: status {rule.Status} is not a redirect (301, 302, 307 or 308)");
        }

        if (!rule.From.StartsWith('/'))
        {
            throw new ConfigurationException($"actorhttp.redirects: from \"{rule.From}\" must start with /");
        }

        if (!rule.To.StartsWith('/') && !Uri.TryCreate(rule.To, UriKind.Absolute, out _))
        {
            throw new ConfigurationException($"actorhttp.redirects: {rule.From}: to \"{rule.To}\" must be a path or an absolute URL");
        }

        return rule;
    }

    /// <summary>The Location for a request whose path below the rule is <paramref name="rest"/>, the query carried over.</summary>
    public string LocationFor(string rest, string query)
    {
        var location = To.Replace("{rest}", string.Join('/', rest.Split('/').Select(Uri.EscapeDataString)), StringComparison.Ordinal);
        if (query.Length == 0)
        {
            return location;
        }

        return location + (location.Contains('?') ? "&" : "?") + query;
    }
}
