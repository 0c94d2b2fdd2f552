namespace ActorHttp.Handlers.Shared;

/// <summary>
/// The state behind <c>/counter</c>, kept in each concurrency model's own idiom: what is safe depends
/// on how many threads may call at once, which only the model knows.
/// </summary>
public interface IRequestCounter
{
    /// <summary>Counts one more request and returns the new count.</summary>
    long Increment();
}

/// <summary>
/// A counter any number of threads may increment at once (an atomic add): for the thread, pool and
/// tasks models, and for several event loops sharing one count.
/// </summary>
public sealed class InterlockedCounter : IRequestCounter
{
    private long _count;

    public long Increment() => Interlocked.Increment(ref _count);
}

/// <summary>
/// A plain field, deliberately not thread-safe: for exactly one event loop, whose one thread makes
/// every call, so an atomic instruction would buy nothing. Shared by two threads it loses counts.
/// </summary>
public sealed class SingleThreadCounter : IRequestCounter
{
    private long _count;

    public long Increment() => ++_count;
}
