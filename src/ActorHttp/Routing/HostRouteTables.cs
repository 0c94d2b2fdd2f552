namespace ActorHttp.Routing;

/// <summary>
/// Route tables per virtual host, picked the way nginx picks a server block: the routes of the exact
/// host name, else of the most specific matching wildcard (<c>*.example.com</c>), else the routes
/// bound to no host.
/// </summary>
public sealed class HostRouteTables<T>
{
    private readonly RouteTable<T> _defaultTable;
    private readonly Dictionary<string, RouteTable<T>> _hostTables = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Suffix, RouteTable<T> Table)> _wildcardTables = [];

    /// <param name="routes">Each route with the host names it is bound to (null: requests of any other host).</param>
    public HostRouteTables(IEnumerable<(RouteDefinition<T> Route, IReadOnlyList<string>? Hosts)> routes)
    {
        var definitions = new Dictionary<string, List<RouteDefinition<T>>>(StringComparer.OrdinalIgnoreCase) { [string.Empty] = [] };
        foreach (var (route, hosts) in routes)
        {
            foreach (var host in hosts ?? [string.Empty])
            {
                if (!definitions.TryGetValue(host, out var list))
                {
                    definitions[host] = list = [];
                }

                list.Add(route);
            }
        }

        _defaultTable = new RouteTable<T>(definitions[string.Empty]);
        foreach (var (host, list) in definitions.Where(d => d.Key.Length > 0))
        {
            if (host.StartsWith("*.", StringComparison.Ordinal))
            {
                _wildcardTables.Add((host[1..], new RouteTable<T>(list)));
            }
            else
            {
                _hostTables[host] = new RouteTable<T>(list);
            }
        }

        // The longest suffix is the most specific wildcard.
        _wildcardTables.Sort((a, b) => b.Suffix.Length.CompareTo(a.Suffix.Length));
    }

    public RouteMatch<T> Match(string? hostField, string method, string path) => TableFor(hostField).Match(method, path);

    private RouteTable<T> TableFor(string? hostField)
    {
        if (hostField is null || (_hostTables.Count == 0 && _wildcardTables.Count == 0))
        {
            return _defaultTable;
        }

        var name = HostName(hostField);
        if (_hostTables.TryGetValue(name, out var table))
        {
            return table;
        }

        foreach (var (suffix, wildcard) in _wildcardTables)
        {
            if (name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return wildcard;
            }
        }

        return _defaultTable;
    }

    /// <summary>The host name of a Host field, without its port (an IPv6 literal keeps its brackets).</summary>
    private static string HostName(string hostField)
    {
        if (hostField.StartsWith('['))
        {
            var end = hostField.IndexOf(']');
            return end > 0 ? hostField[..(end + 1)] : hostField;
        }

        var colon = hostField.IndexOf(':');
        return colon >= 0 ? hostField[..colon] : hostField;
    }
}
