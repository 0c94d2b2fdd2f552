namespace ActorHttp.Handlers.Proxy;

/// <summary>Which header fields a proxy forwards (RFC 9110 §7.6.1) and the ones it adds.</summary>
public static class ProxyHeaders
{
    // Hop-by-hop: they describe one connection, never the message, so a proxy must not forward them.
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
        "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    };

    /// <summary>
    /// The fields to forward: all but the hop-by-hop ones, those the <c>Connection</c> field names,
    /// and <c>Content-Length</c> (framing is recomputed on each side).
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> EndToEnd(IEnumerable<KeyValuePair<string, string>> fields)
    {
        var list = fields.ToList();
        var named = new HashSet<string>(
            list.Where(f => string.Equals(f.Key, "Connection", StringComparison.OrdinalIgnoreCase))
                .SelectMany(f => f.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
            StringComparer.OrdinalIgnoreCase);
        return list.Where(f => !HopByHop.Contains(f.Key) && !named.Contains(f.Key)
            && !string.Equals(f.Key, "Content-Length", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>X-Forwarded-For (appended to an existing chain), -Proto and -Host, as de-facto standard.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Forwarded(string? existingFor, string? client, string? host)
    {
        if (client is not null)
        {
            yield return new("X-Forwarded-For", string.IsNullOrEmpty(existingFor) ? client : existingFor + ", " + client);
        }

        yield return new("X-Forwarded-Proto", "http");
        if (host is not null)
        {
            yield return new("X-Forwarded-Host", host);
        }
    }
}
