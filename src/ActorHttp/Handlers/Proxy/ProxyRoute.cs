using Akka.Configuration;

namespace ActorHttp.Handlers.Proxy;

/// <summary>
/// One reverse-proxy rule: requests under <see cref="Prefix"/> go to <see cref="Upstream"/> (the rest
/// of the path appended to the upstream's path, the queries joined). <see cref="Timeout"/> bounds the
/// wait for the upstream's response head: past it the client gets 504. <see cref="Hosts"/>, when set,
/// limits the rule to requests for those host names (virtual hosts). Request bodies are streamed
/// upstream as they arrive, up to <see cref="MaxBodyBytes"/> (more: 413).
/// </summary>
public sealed record ProxyRoute(string Prefix, Uri Upstream, TimeSpan Timeout, IReadOnlyList<string>? Hosts = null, long MaxBodyBytes = 30_000_000)
{
    /// <summary>Reads <c>actorhttp.proxy.routes</c>; <c>{self}</c> in an upstream stands for this server's own host:port.</summary>
    public static IReadOnlyList<ProxyRoute> FromConfig(Config root, string self)
    {
        var routes = new List<ProxyRoute>();
        foreach (var entry in root.GetValue("actorhttp.proxy.routes")?.GetArray() ?? [])
        {
            var rule = entry.GetObject();
            var prefix = rule.GetKey("prefix")?.GetString() ?? throw new ConfigurationException("actorhttp.proxy.routes: a route has no prefix");
            var upstreamText = (rule.GetKey("upstream")?.GetString() ?? throw new ConfigurationException($"actorhttp.proxy.routes: {prefix} has no upstream"))
                .Replace("{self}", self, StringComparison.Ordinal);
            if (!prefix.StartsWith('/') || prefix.Length > 1 && prefix.EndsWith('/'))
            {
                throw new ConfigurationException($"actorhttp.proxy.routes: prefix \"{prefix}\" must start with / and not end with one");
            }

            if (!Uri.TryCreate(upstreamText, UriKind.Absolute, out var upstream) || upstream.Scheme is not ("http" or "https"))
            {
                throw new ConfigurationException($"actorhttp.proxy.routes: {prefix}: upstream \"{upstreamText}\" is not an http(s) URL");
            }

            var timeout = rule.GetKey("timeout")?.GetTimeSpan() ?? TimeSpan.FromSeconds(30);
            var maxBodyBytes = rule.GetKey("max-body-bytes")?.GetByteSize() ?? root.GetByteSize("actorhttp.limits.max-body-bytes") ?? 30_000_000;
            routes.Add(new ProxyRoute(prefix, upstream, timeout, rule.GetKey("hosts")?.GetStringList()?.ToArray(), maxBodyBytes));
        }

        return routes;
    }

    /// <summary>The upstream URL for a request whose path under the prefix is <paramref name="rest"/>.</summary>
    public Uri TargetFor(string rest, string query)
    {
        var path = Upstream.AbsolutePath.TrimEnd('/');
        if (rest.Length > 0)
        {
            // The request path arrives decoded; each segment is escaped again (the parser keeps a
            // %2F encoded, so it is turned back into a slash before escaping, which restores %2F).
            path += "/" + string.Join('/', rest.Split('/').Select(segment => Uri.EscapeDataString(segment.Replace("%2F", "/", StringComparison.Ordinal))));
        }
        else if (path.Length == 0)
        {
            path = "/";
        }

        var upstreamQuery = Upstream.Query.TrimStart('?');
        var joined = upstreamQuery.Length == 0 ? query : query.Length == 0 ? upstreamQuery : upstreamQuery + "&" + query;
        return new UriBuilder(Upstream) { Path = path, Query = joined }.Uri;
    }
}
