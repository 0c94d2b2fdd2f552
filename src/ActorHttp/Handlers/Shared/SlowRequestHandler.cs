using ActorHttp.Protocol;

namespace ActorHttp.Handlers.Shared;

/// <summary>
/// <c>GET /slow?ms=N</c>: answers after N milliseconds (default 1000, at most 60000). The synchronous
/// form sleeps its thread, which is how the thread models wait; the asynchronous form awaits a timer
/// and holds no thread meanwhile.
/// </summary>
public sealed class SlowRequestHandler : IRequestHandler
{
    public const int DefaultDelayMs = 1000;
    public const int MaxDelayMs = 60_000;

    private static readonly WholeNumberParameter DelayMs = new("ms", DefaultDelayMs, MaxDelayMs);

    public HttpResponse Handle(HttpRequest request)
    {
        if (!DelayMs.TryRead(request, out var delayMs))
        {
            return DelayMs.Invalid;
        }

        Thread.Sleep(delayMs);
        return Answered(delayMs);
    }

    public async ValueTask<HttpResponse> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!DelayMs.TryRead(request, out var delayMs))
        {
            return DelayMs.Invalid;
        }

        await Task.Delay(delayMs, cancellationToken).ConfigureAwait(false);
        return Answered(delayMs);
    }

    private static HttpResponse Answered(int delayMs) => HttpResponse.Text(200, $"Answered after {delayMs} ms.\n");
}
