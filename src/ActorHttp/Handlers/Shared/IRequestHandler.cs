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
    /// The synchronous form, called by the thread-per-connection and pool models: it may block the
    /// calling thread, since in those models a blocked thread is what waiting looks like.
    /// </summary>
    HttpResponse Handle(HttpRequest request);

    /// <summary>
    /// The asynchronous form, awaited by the tasks model and by the event-loop model (whose loop runs
    /// the continuations through its SynchronizationContext), so waiting holds no thread.
    /// </summary>
    ValueTask<HttpResponse> HandleAsync(HttpRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// The base of a handler whose work does not wait on anything (or whose waiting is the point, as
/// <c>/block</c>'s): it writes <see cref="Handle"/> only, and the asynchronous form runs it inline.
/// </summary>
public abstract class RequestHandler : IRequestHandler
{
    public abstract HttpResponse Handle(HttpRequest request);

    /// <summary>
    /// Runs <see cref="Handle"/> on the caller's thread: a throw surfaces from this call rather than
    /// from the task, which an awaiting host catches alike.
    /// </summary>
    public virtual ValueTask<HttpResponse> HandleAsync(HttpRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Handle(request));
}
