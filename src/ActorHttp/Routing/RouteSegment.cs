namespace ActorHttp.Routing;

/// <summary>The kinds of template segment, declared from most to least specific: the order is the ranking.</summary>
public enum RouteSegmentKind
{
    Literal,
    Parameter,
    CatchAll,
}

/// <summary>One <c>/</c>-separated piece of a template: literal text, or the name of the value it binds.</summary>
public readonly record struct RouteSegment(RouteSegmentKind Kind, string Value);
