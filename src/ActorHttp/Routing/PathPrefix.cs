namespace ActorHttp.Routing;

/// <summary>Rules bound to a path prefix (auth, CORS): which prefix covers a path, and which rule is the most specific.</summary>
public static class PathPrefix
{
    /// <summary>
    /// True when <paramref name="path"/> is the prefix itself or lies below it, on a segment boundary:
    /// <c>/api</c> covers <c>/api</c> and <c>/api/x</c>, never <c>/apix</c>.
    /// </summary>
    public static bool Covers(string prefix, string path) =>
        path.StartsWith(prefix, StringComparison.Ordinal)
        && (path.Length == prefix.Length || prefix.EndsWith('/') || path[prefix.Length] == '/');

    /// <summary>The entry whose prefix covers the path and is the longest (the most specific); null when none does.</summary>
    public static T? MostSpecific<T>(IReadOnlyList<T> entries, Func<T, string> prefixOf, string path)
        where T : class
    {
        // Asked for every request on a server with auth or CORS rules: indexed, so nothing is allocated.
        T? best = null;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var prefix = prefixOf(entry);
            if (Covers(prefix, path) && (best is null || prefix.Length > prefixOf(best).Length))
            {
                best = entry;
            }
        }

        return best;
    }
}
