using System.Collections.ObjectModel;

namespace ActorHttp.Routing;

/// <summary>
/// A parsed path template such as <c>/users/{id:int}</c>, <c>/blog/{page?}</c> or <c>/files/{*rest}</c>
/// (constraints: <see cref="RouteConstraint"/>). Templates are parsed
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

        var parts = SplitSegments(template);
        var segments = new RouteSegment[parts.Count];
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < parts.Count; i++)
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

            if (!part.EndsWith('}') || OutsideParentheses(part[1..^1]).AsSpan().ContainsAny('{', '}'))
            {
                throw Invalid(template, $"segment '{part}' has unbalanced braces; a parameter must be a whole segment such as '{{id}}'");
            }

            segments[i] = ParseParameter(template, part, names, isLast: i == parts.Count - 1);
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
    /// optional parameter before catch-all, a constrained parameter before an unconstrained one, and a
    /// template that has run out of segments before one that still has an optional parameter or a
    /// catch-all (the kinds that can match nothing). Negative when <paramref name="a"/> is more specific.
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

            // Of two parameters, the constrained one is the more specific (as in ASP.NET Core).
            var byConstraints = (a._segments[i].Constraints is null).CompareTo(b._segments[i].Constraints is null);
            if (byConstraints != 0)
            {
                return byConstraints;
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
                var rest = start >= path.Length ? "" : path[start..];
                if (!segment.Accepts(rest))
                {
                    return false;
                }

                values?.Add(segment.Value, rest);
                return true;
            }

            if (start > path.Length)
            {
                // Only an optional parameter (always the last segment) may find no segment left.
                return segment.Kind == RouteSegmentKind.OptionalParameter;
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
            else if (!segment.Accepts(text))
            {
                // A value that fails a constraint: this template does not match the path at all.
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

    /// <summary>
    /// Splits the template at its <c>/</c>, except inside a constraint's parentheses, where a regex
    /// may hold any character (a literal parenthesis there is written <c>\(</c> or <c>\)</c>).
    /// </summary>
    private static List<string> SplitSegments(string template)
    {
        var parts = SplitOutsideParentheses(template, '/', from: 1, out var unclosed);
        if (unclosed)
        {
            throw Invalid(template, "a constraint's '(' is never closed");
        }

        return parts;
    }

    /// <summary>The text with every parenthesised constraint argument left out.</summary>
    private static string OutsideParentheses(string text)
    {
        var outside = new System.Text.StringBuilder(text.Length);
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (depth > 0 && c == '\\')
            {
                i++;
            }
            else if (c == '(')
            {
                depth++;
            }
            else if (c == ')' && depth > 0)
            {
                depth--;
            }
            else if (depth == 0)
            {
                outside.Append(c);
            }
        }

        return outside.ToString();
    }

    /// <summary>The pieces of <paramref name="text"/> between the <c>:</c> found outside parentheses.</summary>
    private static List<string> SplitConstraints(string text) => SplitOutsideParentheses(text, ':', from: 0, out _);

    /// <summary>
    /// The pieces of <paramref name="text"/> (from index <paramref name="from"/>) between the
    /// <paramref name="separator"/>s found outside parentheses; a backslash inside them escapes the
    /// next character. <paramref name="unclosed"/>: a parenthesis was never closed.
    /// </summary>
    private static List<string> SplitOutsideParentheses(string text, char separator, int from, out bool unclosed)
    {
        var pieces = new List<string>();
        var depth = 0;
        var start = from;
        for (var i = from; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && depth > 0)
            {
                i++;
            }
            else if (c == '(')
            {
                depth++;
            }
            else if (c == ')' && depth > 0)
            {
                depth--;
            }
            else if (c == separator && depth == 0)
            {
                pieces.Add(text[start..i]);
                start = i + 1;
            }
        }

        unclosed = depth > 0;
        pieces.Add(text[start..]);
        return pieces;
    }

    /// <summary><c>{name}</c>, <c>{name?}</c>, <c>{*name}</c>, each with optional <c>:constraint</c>s after the name.</summary>
    private static RouteSegment ParseParameter(string template, string part, HashSet<string> names, bool isLast)
    {
        var inner = part[1..^1];
        var catchAll = inner.StartsWith('*');
        if (catchAll)
        {
            inner = inner[1..];
        }

        // A '?' closing the parameter (not one inside a constraint's parentheses) makes it optional.
        var optional = inner.EndsWith('?') && OutsideParentheses(inner).EndsWith('?');
        if (optional)
        {
            inner = inner[..^1];
        }

        var pieces = SplitConstraints(inner);
        var name = pieces[0];
        if (name.Length == 0 || !IsName(name))
        {
            throw Invalid(template, $"parameter '{part}' needs a name made of letters, digits and '_'");
        }

        if (!names.Add(name))
        {
            throw Invalid(template, $"parameter name '{name}' is used twice");
        }

        if (catchAll && optional)
        {
            throw Invalid(template, $"catch-all '{part}' cannot be optional: it already matches nothing");
        }

        if ((catchAll || optional) && !isLast)
        {
            throw Invalid(template, $"{(catchAll ? "catch-all" : "optional parameter")} '{part}' must be the last segment");
        }

        RouteConstraint[]? constraints = null;
        if (pieces.Count > 1)
        {
            constraints = new RouteConstraint[pieces.Count - 1];
            for (var i = 1; i < pieces.Count; i++)
            {
                try
                {
                    constraints[i - 1] = RouteConstraint.Parse(pieces[i]);
                }
                catch (FormatException error)
                {
                    throw Invalid(template, $"parameter '{name}': {error.Message}");
                }
            }
        }

        var kind = catchAll ? RouteSegmentKind.CatchAll : optional ? RouteSegmentKind.OptionalParameter : RouteSegmentKind.Parameter;
        return new RouteSegment(kind, name, constraints);
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
