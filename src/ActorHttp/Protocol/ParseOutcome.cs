namespace ActorHttp.Protocol;

/// <summary>What one call to <see cref="HttpRequestParser.Parse"/> achieved.</summary>
public enum ParseOutcome
{
    /// <summary>The request is not complete yet; call again with the unconsumed bytes plus more.</summary>
    NeedMoreData,

    /// <summary>A request is complete (<see cref="HttpRequestParser.Request"/>); the parser is ready for the next one.</summary>
    RequestComplete,

    /// <summary>The request is refused (<see cref="HttpRequestParser.Rejection"/>); the parser accepts nothing more.</summary>
    Rejected,
}
