using Akka.Configuration;

namespace ActorHttp.Routing;

/// <summary>
/// Cross-origin access to the paths under <see cref="Prefix"/> (the Fetch standard's CORS protocol):
/// which origins may call, with which methods and request headers, and how long a browser may cache
/// a preflight answer.
/// </summary>
public sealed record CorsPolicy(
    string Prefix,
    IReadOnlyList<string> Origins,
    IReadOnlyList<string> Methods,
    IReadOnlyList<string> Headers,
    TimeSpan MaxAge,
    bool Credentials)
{
    public bool Covers(string path) => PathPrefix.Covers(Prefix, path);

    /// <summary>True for an origin on the list, or any origin when the list holds <c>*</c>.</summary>
    public bool Allows(string origin) => Origins.Contains("*") || Origins.Contains(origin, StringComparer.Ordinal);

    /// <summary>
    /// The field that grants <paramref name="origin"/> access. With credentials the origin is echoed,
    /// never <c>*</c> (browsers refuse a wildcard with credentials).
    /// </summary>
    public string AllowOriginValue(string origin) => Origins.Contains("*") && !Credentials ? "*" : origin;

    /// <summary>Reads <c>actorhttp.cors</c>: a list of policies, the most specific prefix winning.</summary>
    public static IReadOnlyList<CorsPolicy> FromConfig(Config root)
    {
        var policies = new List<CorsPolicy>();
        foreach (var entry in root.GetValue("actorhttp.cors")?.GetArray() ?? [])
        {
            var rule = entry.GetObject();
            var prefix = rule.GetKey("prefix")?.GetString() ?? throw new ConfigurationException("actorhttp.cors: a policy has no prefix");
            var origins = rule.GetKey("origins")?.GetStringList()?.ToArray() ?? [];
            if (!prefix.StartsWith('/') || origins.Length == 0)
            {
                throw new ConfigurationException($"actorhttp.cors: {prefix}: the prefix must start with / and origins must not be empty");
            }

            policies.Add(new CorsPolicy(
                prefix,
                origins,
                rule.GetKey("methods")?.GetStringList()?.ToArray() ?? ["GET", "HEAD", "POST"],
                rule.GetKey("headers")?.GetStringList()?.ToArray() ?? [],
                rule.GetKey("max-age")?.GetTimeSpan() ?? TimeSpan.FromMinutes(10),
                rule.GetKey("credentials")?.GetBoolean() ?? false));
        }

        // The shared empty list when none is configured, like the settings' default.
        return policies.Count == 0 ? Array.Empty<CorsPolicy>() : policies;
    }

    /// <summary>The most specific policy covering the path, if any.</summary>
    public static CorsPolicy? For(IReadOnlyList<CorsPolicy> policies, string path) =>
        PathPrefix.MostSpecific(policies, static policy => policy.Prefix, path);
}
