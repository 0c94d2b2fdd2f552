namespace ActorHttp.Routing;

/// <summary>The kinds of template segment, declared from most to least specific: the order is the ranking.</summary>
public enum RouteSegmentKind
{
    Literal,
    Parameter,

    /// <summary><c>{page?}</c>: one segment or none, only at the end of a template.</summary>
    OptionalParameter,
    CatchAll,
}

/// <summary>
/// One <c>/</c>-separated piece of a template: literal text, or the name of the value it binds with
/// the <paramref name="Constraints"/> that value must meet (null when it has none).
/// </summary>
public readonly record struct RouteSegment(RouteSegmentKind Kind, string Value, IReadOnlyList<RouteConstraint>? Constraints = null)
{
    /// <summary>Whether <paramref name="value"/> meets every constraint of this segment.</summary>
    public bool Accepts(ReadOnlySpan<char> value)
    {
        if (Constraints is null)
        {
            return true;
        }

        foreach (var constraint in Constraints)
        {
            if (!constraint.Accepts(value))
            {
                return false;
            }
        }

        return true;
    }
}
