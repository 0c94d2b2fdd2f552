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

    /// <summary>
    /// The head of a request whose body is streamed (the parser's streamed-body limit
    /// chose so) is complete (<see cref="HttpRequestParser.Request"/>); the body follows as
    /// <see cref="BodyData"/> pieces and ends with <see cref="BodyComplete"/>.
    /// </summary>
    HeadComplete,

    /// <summary>A piece of a streamed body: <see cref="HttpRequestParser.BodyData"/> locates it in the bytes just parsed.</summary>
    BodyData,

    /// <summary>A streamed body ended (trailers in <see cref="HttpRequestParser.Request"/>); the parser is ready for the next request.</summary>
    BodyComplete,
}
