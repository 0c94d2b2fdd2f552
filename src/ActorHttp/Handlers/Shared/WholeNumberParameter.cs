using ActorHttp.Protocol;

namespace ActorHttp.Handlers.Shared;

/// <summary>
/// A handler's one query parameter that is a whole number from 0 to <see cref="Max"/>, such as
/// <c>/slow</c>'s <c>ms</c> or <c>/cpu</c>'s <c>us</c>: how it is read (<see cref="QueryParameters.TryReadWholeNumber"/>)
/// and the <c>400</c> that answers a value that is not such a number.
/// </summary>
internal sealed record WholeNumberParameter(string Name, int Default, int Max)
{
    /// <summary>The answer to a request whose value is not a whole number from 0 to <see cref="Max"/>.</summary>
    public HttpResponse Invalid { get; } = HttpResponse.Text(400, $"{Name} must be a whole number from 0 to {Max}.\n");

    /// <summary>The request's value, <see cref="Default"/> when it has none; false when it is not a whole number from 0 to <see cref="Max"/>.</summary>
    public bool TryRead(HttpRequest request, out int value) =>
        QueryParameters.TryReadWholeNumber(request.Query, Name, Default, Max, out value);
}
