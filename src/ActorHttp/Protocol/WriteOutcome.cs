namespace ActorHttp.Protocol;

/// <summary>What the connection does after <c>HttpResponseWriter.Write</c>.</summary>
public enum WriteOutcome
{
    /// <summary>The response was written; the connection may carry the next request.</summary>
    KeepOpen,

    /// <summary>The response was written with <c>Connection: close</c>; close after sending it.</summary>
    Close,

    /// <summary>
    /// A handler field was unsafe to send and nothing was written: the caller answers 500 instead.
    /// </summary>
    InvalidHeader,
}
