using ActorHttp.Protocol;

namespace ActorHttp.Handlers.Shared;

/// <summary>
/// A handler written once for every concurrency model, on the connection core's own request and
/// response types. Each model calls the form that fits how it schedules work; a handler that throws
/// from either form has crashed, and the host answers that request with a 500.
/// </summary>
public interface IRequestHandler
{
    /// <summary>
    /// The synchronous form, called by the thread-per-connection and pool models on the connection's
    /// own thread: it may block, since in those models a blocked thread is what waiting looks like.
    /// </summary>
    HttpResponse Handle(HttpRequest request);

    /// <summary>
    /// The asynchronous form, awaited by the tasks model and by the event-loop model (which calls it
    /// with its loop's SynchronizationContext installed, so continuations come back to the loop).
    /// </summary>
    /// <param name="cancellationToken">Cancelled when the connection closes: nobody waits for the answer any more.</param>
    ValueTask<HttpResponse> HandleAsync(HttpRequest request, CancellationToken cancellationToken);
}
