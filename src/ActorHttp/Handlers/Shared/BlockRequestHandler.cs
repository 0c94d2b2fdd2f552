using ActorHttp.Protocol;

namespace ActorHttp.Handlers.Shared;

/// <summary>
/// <c>GET /block?ms=N</c>: holds its thread for N milliseconds (default 50, at most 60000) by waiting
/// synchronously on async work, <c>Task.Delay(ms).Wait()</c>: the sync-over-async mistake, made in
/// both forms on purpose, to show which model suffers. A thread model loses one thread; an event loop
/// stalls every connection it serves; the tasks model loses a pool thread per request until the pool
/// grows.
/// </summary>
public sealed class BlockRequestHandler : RequestHandler
{
    public const int DefaultDelayMs = 50;
    public const int MaxDelayMs = 60_000;

    private static readonly WholeNumberParameter DelayMs = new("ms", DefaultDelayMs, MaxDelayMs);

    public override HttpResponse Handle(HttpRequest request)
    {
        if (!DelayMs.TryRead(request, out var delayMs))
        {
            return DelayMs.Invalid;
        }

        // The mistake itself: blocking on a task instead of awaiting it.
        Task.Delay(delayMs).Wait();
        return HttpResponse.Text(200, $"Blocked a thread for {delayMs} ms.\n");
    }
}
