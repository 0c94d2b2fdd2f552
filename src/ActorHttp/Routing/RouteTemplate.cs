using System.Collections.ObjectModel;

namespace ActorHttp.Routing;

/// <summary>
/// A parsed path template such as <c>/users/{id}</c> or <c>/files/{*rest}</c>. Templates are parsed
/// once, when routes are registered, so a mistake surfaces at start-up rather than on a request.
/// Matching runs on the already-decoded path, compares literals case-sensitively (RFC 3986 §6.2.2.1:
/// only scheme and host are case-insensitive) and treats <c>/a</c> and <c>/a/</c> as different paths.
/// </summary>
public sealed class RouteTemplate
{
    private static readonly IReadOnlyDictionary<string, string> _noValues = ReadOnlyDictionary<string, string>.Empty;

    private readonly RouteSegment[] _segments;
    private readonly int _parameterCount;

    private RouteTemplate(string text, RouteSegment[] segments, int parameterCount)
    {
        Text = text;
        _segments = segments;
        _parameterCount = parameterCount;
    }

    public string Text { get; }

    public IReadOnlyList<RouteSegment> Segments => _segments;

    /// <summary>True when the template binds no values, so a match never needs a dictionary.</summary>
    public bool HasParameters => _parameterCount > 0;

    /// <exception cref="ArgumentException">The template is malformed; the message says how.</exception>
    public static RouteTemplate Parse(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (!template.StartsWith('/'))
        {
            throw Invalid(template, "it must start with '/'");
        }

        var parts = template[1..].Split('/');
        var segments = new RouteSegment[parts.Length];
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (!part.StartsWith('{'))
            {
                if (part.AsSpan().ContainsAny('{', '}'))
                {
                    throw Invalid(template, $"segment '{part}' has an unbalanced brace; a parameter must be a whole segment such as '{{id}}'");
                }

                segments[i] = new RouteSegment(RouteSegmentKind.Literal, part);
                continue;
            }

            if (!part.EndsWith('}') || part.AsSpan(1, part.Length - 2).ContainsAny('{', '}'))
            {
                throw Invalid(template, $"segment '{part}' has unbalanced braces; a parameter must be a whole segment such as '{{id}}'");
            }

            var catchAll = part.Length > 2 && part[1] == '*';
            var name = part[(catchAll ? 2 : 1)..^1];
            if (name.Length == 0 || !IsName(name))
            {
                throw Invalid(template, $"parameter '{part}' needs a name made of letters, digits and '_'");
            }

            if (!names.Add(name))
            {
                throw Invalid(template, $"parameter name '{name}' is used twice");
            }

            if (catchAll && i != parts.Length - 1)
            {
                throw Invalid(template, $"catch-all '{part}' must be the last segment");
            }

            segments[i] = new RouteSegment(catchAll ? RouteSegmentKind.CatchAll : RouteSegmentKind.Parameter, name);
        }

        return new RouteTemplate(template, segments, names.Count);
    }

    /// <summary>Whether the path matches, without binding anything (no allocation).</summary>
    public bool IsMatch(string path) => Walk(path, values: null);

    /// <summary>Matches and binds the parameters; <paramref name="values"/> is a shared empty instance when there are none.</summary>
    public bool TryMatch(string path, out IReadOnlyDictionary<string, string> values)
    {
        if (!HasParameters)
        {
            values = _noValues;
            return Walk(path, values: null);
        }

        var bound = new Dictionary<string, string>(_parameterCount, StringComparer.OrdinalIgnoreCase);
        values = bound;
        if (Walk(path, bound))
        {
            return true;
        }

        values = _noValues;
        return false;
    }

    /// <summary>
    /// Orders two templates by specificity, segment by segment: literal before parameter before
    /// catch-all, and a template that has run out of segments before one that still has a catch-all
    /// (the only kind that can match nothing). Negative when <paramref name="a"/> is more specific.
    /// </summary>
    public static int CompareSpecificity(RouteTemplate a, RouteTemplate b)
    {
        var common = Math.Min(a._segments.Length, b._segments.Length);
        for (var i = 0; i < common; i++)
        {
            var byKind = a._segments[i].Kind.CompareTo(b._segments[i].Kind);
            if (byKind != 0)
            {
                return byKind;
            }
        }

        return a._segments.Length.CompareTo(b._segments.Length);
    }

    public override string ToString() => Text;

    private bool Walk(string path, Dictionary<string, string>? values)
    {
        if (path.Length == 0 || path[0] != '/')
        {
            return false;
        }

        // `start` is where the next path segment begins; it passes path.Length once the last one is used.
        var start = 1;
        foreach (var segment in _segments)
        {
            if (segment.Kind == RouteSegmentKind.CatchAll)
            {
                values?.Add(segment.Value, start >= path.Length ? "" : path[start..]);
                return true;
            }

            if (start > path.Length)
            {
                return false;
            }

            var end = path.IndexOf('/', start);
            if (end < 0)
            {
                end = path.Length;
            }

            var text = path.AsSpan(start, end - start);
            if (segment.Kind == RouteSegmentKind.Literal)
            {
                if (!text.SequenceEqual(segment.Value))
                {
                    return false;
                }
            }
            else if (text.IsEmpty)
            {
                // A parameter binds exactly one non-empty segment.
                return false;
            }
            else
            {
                values?.Add(segment.Value, text.ToString());
            }

            start = end + 1;
        }

        return start == path.Length + 1;
    }

    private static bool IsName(string name)
    {
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    private static ArgumentException Invalid(string template, string why) =>
        new($"Invalid route template '{template}': {why}.", nameof(template));
}
