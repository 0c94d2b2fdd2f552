using System.Globalization;
using ActorHttp.Protocol;
using Akka.Actor;

namespace ActorHttp.Handlers.Demo;

/// <summary>
/// <c>GET /slow?ms=N</c>: answers after N milliseconds (default 1000, at most 60000) by scheduling a
/// message to itself: the actor's thread is free for other requests meanwhile.
/// </summary>
public sealed class SlowHandler : HttpHandlerActor, IWithTimers
{
    private const int DefaultDelayMs = 1000;
    private const int MaxDelayMs = 60_000;

    private long _nextTimer;

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void OnRequest(RequestContext context)
    {
        if (!TryReadDelay(context.Request.Query, out var delayMs))
        {
            context.Respond(HttpResponse.Text(400, $"ms must be a whole number from 0 to {MaxDelayMs}.\n"));
            return;
        }

        Timers.StartSingleTimer(_nextTimer++, new DelayElapsed(context, delayMs), TimeSpan.FromMilliseconds(delayMs));
    }

    protected override void OnMessage(object message)
    {
        if (message is DelayElapsed elapsed)
        {
            elapsed.Context.Respond(HttpResponse.Text(200, $"Answered after {elapsed.DelayMs} ms.\n"));
            return;
        }

        base.OnMessage(message);
    }

    private static bool TryReadDelay(string query, out int delayMs)
    {
        delayMs = DefaultDelayMs;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = pair.IndexOf('=');
            if (separator > 0 && pair.AsSpan(0, separator).SequenceEqual("ms"))
            {
                return int.TryParse(pair.AsSpan(separator + 1), NumberStyles.None, CultureInfo.InvariantCulture, out delayMs)
                    && delayMs <= MaxDelayMs;
            }
        }

        return true;
    }

    private sealed record DelayElapsed(RequestContext Context, int DelayMs);
}
