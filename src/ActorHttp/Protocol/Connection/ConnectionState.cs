namespace ActorHttp.Protocol.Connection;

/// <summary>
/// Where an HTTP/1.1 connection is in its life. Each state names what ends it; none lasts without a
/// deadline (see <see cref="Http1Connection.NextDeadline"/>).
/// </summary>
public enum ConnectionState
{
    /// <summary>
    /// Reading requests and answering them in order, keeping the connection alive between them.
    /// Ends with a request that asks to close, a refused request, the end of the client's input, a
    /// drain, or a deadline: <c>idle-timeout</c> between requests, <c>request-header-timeout</c> while
    /// a head arrives, <c>min-request-body-rate</c> while a body does.
    /// </summary>
    Open,

    /// <summary>
    /// The server is shutting down: what the client has already sent (buffered here or waiting in the
    /// kernel) is still read and answered, the last answer saying <c>Connection: close</c>. Ends in
    /// <see cref="Finishing"/> once nothing more has arrived; the same deadlines as <see cref="Open"/>.
    /// </summary>
    Draining,

    /// <summary>
    /// No further request is read. The answers still owed go out in order; then the connection closes.
    /// Ends when they are out: <c>handler-timeout</c> bounds each answer, <c>min-response-data-rate</c>
    /// the client's reading of them.
    /// </summary>
    Finishing,

    /// <summary>
    /// An answer that closes the connection has been written and whatever was behind it dropped; the
    /// output is on its way. Ends when it is sent (or by <c>min-response-data-rate</c>).
    /// </summary>
    ClosingAfterSend,

    /// <summary>
    /// Every answer is sent and the sending side is shut; input is read and discarded so the close
    /// does not reset the connection before the client has read the last answer. Ends when the client
    /// closes, or after <c>linger-timeout</c>.
    /// </summary>
    Lingering,

    /// <summary>Over: the host closes the socket (resets it when <see cref="Http1Connection.ResetOnClose"/>).</summary>
    Closed,
}

/// <summary>What the connection wants from the client's side of the socket now.</summary>
public enum ReadDemand
{
    /// <summary>Nothing: the pipeline is full, a body's reader is not asking, or nothing more will be read.</summary>
    None,

    /// <summary>
    /// Wait until bytes (or the end of input) arrive, without holding a buffer: the connection is
    /// between requests. Then ask <see cref="Http1Connection.GetReceiveMemory"/> for a buffer.
    /// </summary>
    WaitForData,

    /// <summary>Receive into <see cref="Http1Connection.GetReceiveMemory"/> now.</summary>
    Receive,
}
