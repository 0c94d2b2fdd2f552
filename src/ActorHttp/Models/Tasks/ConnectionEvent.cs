using ActorHttp.Protocol;

namespace ActorHttp.Models.Tasks;

/// <summary>
/// One thing that happened to a task connection, posted by whatever thread it happened on and acted
/// on by the connection's loop. A struct in an unbounded channel: posting one allocates nothing.
/// </summary>
/// <param name="Sequence">The request an answer or a piece belongs to.</param>
/// <param name="Response">A handler's answer.</param>
/// <param name="Pump">The streamed answer a piece was read for.</param>
/// <param name="Count">The bytes of the piece read; 0 at the end of its stream.</param>
/// <param name="Failure">Why reading the piece failed.</param>
internal readonly record struct ConnectionEvent(
    ConnectionEventKind Kind,
    long Sequence = 0,
    HttpResponse? Response = null,
    ResponseStreamPump? Pump = null,
    int Count = 0,
    Exception? Failure = null);
