using System.Buffers;
using System.Collections.ObjectModel;

namespace ActorHttp.Routing;

/// <summary>A route as registered: the methods it serves (null: every standard method), its template and what it leads to.</summary>
public sealed record RouteDefinition<T>(IReadOnlyList<string>? Methods, string Template, T Target);

public enum RouteMatchKind
{
    /// <summary>A route serves this method and path.</summary>
    Found,

    /// <summary>No template matches the path: 404.</summary>
    NotFound,

    /// <summary>Templates match the path but none serves the method: 405 with <c>Allow</c>.</summary>
    MethodNotAllowed,

    /// <summary>The server knows no route with this method anywhere: 501.</summary>
    NotImplemented,

    /// <summary>OPTIONS that no route answers itself: the caller replies 204 with <c>Allow</c>.</summary>
    Options,
}

/// <param name="Values">Values bound by the template; empty (one shared instance) when there are none.</param>
/// <param name="AllowedMethods">For <see cref="RouteMatchKind.MethodNotAllowed"/> and <see cref="RouteMatchKind.Options"/>: the <c>Allow</c> list, sorted; empty otherwise.</param>
public sealed record RouteMatch<T>(RouteMatchKind Kind, T? Target, IReadOnlyDictionary<string, string> Values, IReadOnlyList<string> AllowedMethods);

/// <summary>
/// Matches a method and a decoded path against the registered routes. Everything that does not
/// depend on the request (parsed templates, specificity order, the methods the server knows) is
/// worked out here once; <see cref="Match"/> only walks templates.
/// </summary>
public sealed class RouteTable<T>
{
    // The methods RFC 9110 §9 defines, which a route without a method list serves. CONNECT is left
    // out: it asks for a tunnel, not a resource (§9.3.6).
    private static readonly string[] _standardMethods = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"];

    private static readonly IReadOnlyDictionary<string, string> _noValues = ReadOnlyDictionary<string, string>.Empty;
    private static readonly SearchValues<char> _tokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private readonly Entry[] _bySpecificity;
    private readonly HashSet<string> _knownMethods;
    private readonly RouteMatch<T> _notFound = new(RouteMatchKind.NotFound, default, _noValues, []);
    private readonly RouteMatch<T> _notImplemented = new(RouteMatchKind.NotImplemented, default, _noValues, []);
    private readonly RouteMatch<T> _optionsServer;

    /// <exception cref="ArgumentException">A template or a method list is malformed.</exception>
    public RouteTable(IEnumerable<RouteDefinition<T>> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var definitions = routes.ToArray();
        Routes = Array.AsReadOnly(definitions);

        var entries = new Entry[definitions.Length];
        _knownMethods = new HashSet<string>(_standardMethods, StringComparer.Ordinal);
        var served = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < definitions.Length; i++)
        {
            var definition = definitions[i];
            var methods = ValidateMethods(definition);
            entries[i] = new Entry(definition, RouteTemplate.Parse(definition.Template), methods);
            served.UnionWith(methods ?? _standardMethods);
            if (methods is not null)
            {
                _knownMethods.UnionWith(methods);
            }
        }

        // Sorting once means the first route that matches is the most specific one. OrderBy is stable,
        // so equally specific routes keep their registration order.
        _bySpecificity = entries.OrderBy(e => e.Template, Comparer<RouteTemplate>.Create(RouteTemplate.CompareSpecificity)).ToArray();
        _optionsServer = new RouteMatch<T>(RouteMatchKind.Options, default, _noValues, AllowList(served));
    }

    /// <summary>The routes in registration order.</summary>
    public IReadOnlyList<RouteDefinition<T>> Routes { get; }

    /// <summary>
    /// The most specific route whose template matches the path and which serves the method. A more
    /// specific route that serves other methods does not hide a less specific one that serves this
    /// method (as in ASP.NET Core's endpoint routing): 405 only when no matching route serves it.
    /// </summary>
    /// <param name="method">The method exactly as sent: methods are case-sensitive (RFC 9110 §9.1).</param>
    /// <param name="path">The decoded path, or <c>*</c> for <c>OPTIONS *</c>.</param>
    public RouteMatch<T> Match(string method, string path)
    {
        // A method no route serves is one the server does not implement, wherever it is aimed
        // (RFC 9110 §15.6.2), so it is 501 before it can be 404 or 405.
        if (!_knownMethods.Contains(method))
        {
            return _notImplemented;
        }

        // OPTIONS * asks about the server as a whole (RFC 9110 §9.3.7).
        if (path == "*" && method == "OPTIONS")
        {
            return _optionsServer;
        }

        var isHead = method == "HEAD";
        Entry? getForHead = null;
        var pathMatched = false;
        foreach (var entry in _bySpecificity)
        {
            if (!entry.Template.IsMatch(path))
            {
                continue;
            }

            pathMatched = true;
            if (entry.Serves(method))
            {
                return Found(entry, path);
            }

            // A GET route answers HEAD when no route serves HEAD itself (RFC 9110 §9.3.2).
            if (isHead && getForHead is null && entry.Serves("GET"))
            {
                getForHead = entry;
            }
        }

        if (getForHead is not null)
        {
            return Found(getForHead, path);
        }

        if (!pathMatched)
        {
            return _notFound;
        }

        var allowed = AllowedFor(path);
        return method == "OPTIONS"
            ? new RouteMatch<T>(RouteMatchKind.Options, default, _noValues, allowed)
            : new RouteMatch<T>(RouteMatchKind.MethodNotAllowed, default, _noValues, allowed);
    }

    private static RouteMatch<T> Found(Entry entry, string path)
    {
        if (entry.FoundWithoutValues is { } found)
        {
            return found;
        }

        entry.Template.TryMatch(path, out var values);
        return new RouteMatch<T>(RouteMatchKind.Found, entry.Definition.Target, values, []);
    }

    // Only on the 405/OPTIONS path, so allocation here is fine.
    private string[] AllowedFor(string path)
    {
        var methods = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in _bySpecificity)
        {
            if (entry.Template.IsMatch(path))
            {
                methods.UnionWith(entry.Methods ?? _standardMethods);
            }
        }

        return AllowList(methods);
    }

    /// <summary>
    /// The <c>Allow</c> list (RFC 9110 §10.2.1): sorted, HEAD wherever GET is (a GET route answers HEAD)
    /// and OPTIONS always (the server answers it for every resource).
    /// </summary>
    private static string[] AllowList(HashSet<string> methods)
    {
        if (methods.Contains("GET"))
        {
            methods.Add("HEAD");
        }

        methods.Add("OPTIONS");
        var list = methods.ToArray();
        Array.Sort(list, StringComparer.Ordinal);
        return list;
    }

    private static string[]? ValidateMethods(RouteDefinition<T> definition)
    {
        if (definition.Methods is null)
        {
            return null;
        }

        if (definition.Methods.Count == 0)
        {
            throw new ArgumentException($"Route '{definition.Template}' lists no methods; use null to serve every standard method.", nameof(definition));
        }

        foreach (var method in definition.Methods)
        {
            if (string.IsNullOrEmpty(method) || method.AsSpan().ContainsAnyExcept(_tokenChars))
            {
                throw new ArgumentException($"Route '{definition.Template}' has method '{method}', which is not a token (RFC 9110 §9.1).", nameof(definition));
            }

            if (method == "CONNECT")
            {
                throw new ArgumentException($"Route '{definition.Template}' lists CONNECT, which this server does not serve (RFC 9110 §9.3.6).", nameof(definition));
            }
        }

        return [.. definition.Methods];
    }

    private sealed class Entry(RouteDefinition<T> definition, RouteTemplate template, string[]? methods)
    {
        public RouteDefinition<T> Definition { get; } = definition;

        public RouteTemplate Template { get; } = template;

        /// <summary>Null when the route serves every standard method.</summary>
        public string[]? Methods { get; } = methods;

        /// <summary>A template without parameters always yields the same match, so it is built once.</summary>
        public RouteMatch<T>? FoundWithoutValues { get; } =
            template.HasParameters ? null : new RouteMatch<T>(RouteMatchKind.Found, definition.Target, _noValues, []);

        public bool Serves(string method)
        {
            foreach (var served in Methods ?? _standardMethods)
            {
                if (served == method)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
