namespace ActorHttp.Models;

/// <summary>
/// The <c>actorhttp.models</c> section: what the non-actor models need beyond the server's own
/// settings, which they share with the actors (limits, timeouts, <c>max-connections</c>).
/// </summary>
public sealed record ModelSettings
{
    /// <summary>The names <c>actorhttp.server.model</c> and <c>--model</c> accept, as a user writes them.</summary>
    public const string ModelNames = "actors, threads, pool, eventloop or tasks";

    /// <summary>Worker threads of the pool model (<c>actorhttp.models.pool.threads</c>): the most connections it serves at once.</summary>
    public int PoolThreads { get; init; } = 200;

    /// <summary>Accepted connections waiting for a free worker (<c>actorhttp.models.pool.queue</c>); past it a newcomer gets 503.</summary>
    public int PoolQueue { get; init; } = 100;

    /// <summary>Event loops of the event-loop model (<c>actorhttp.models.eventloop.loops</c>), each one thread; connections are dealt round-robin.</summary>
    public int EventLoops { get; init; } = 1;

    /// <summary>
    /// Whether every handler call of <paramref name="model"/> comes from one thread: a single event
    /// loop. Its handlers' shared state then needs no synchronization at all (a plain counter); in
    /// every other model it must be thread-safe.
    /// </summary>
    public bool CallsHandlersFromOneThread(ConcurrencyModel model) => model == ConcurrencyModel.EventLoop && EventLoops == 1;

    /// <summary>Reads a model's name (any case); false when it names none.</summary>
    public static bool TryParseModel(string name, out ConcurrencyModel model)
    {
        ConcurrencyModel? parsed = name.Trim().ToLowerInvariant() switch
        {
            "actors" => ConcurrencyModel.Actors,
            "threads" => ConcurrencyModel.Threads,
            "pool" => ConcurrencyModel.Pool,
            "eventloop" => ConcurrencyModel.EventLoop,
            "tasks" => ConcurrencyModel.Tasks,
            _ => null,
        };
        model = parsed ?? default;
        return parsed is not null;
    }
}
