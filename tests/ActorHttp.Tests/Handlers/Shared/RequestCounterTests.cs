using ActorHttp.Handlers.Shared;

namespace ActorHttp.Tests.Handlers.Shared;

/// <summary>The <c>/counter</c> state of the models that share it between threads, and of a single event loop.</summary>
public sealed class RequestCounterTests
{
    private const int Increments = 200_000;

    [Fact]
    public void The_interlocked_counter_is_exact_after_many_concurrent_increments()
    {
        var counter = new InterlockedCounter();

        Parallel.For(0, Increments, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ => counter.Increment());

        Assert.Equal(Increments + 1, counter.Increment());
    }

    [Fact]
    public void Concurrent_counter_requests_each_get_a_different_count_and_none_is_skipped()
    {
        var handler = new CounterRequestHandler(new InterlockedCounter());
        var seen = new string[10_000];

        Parallel.For(0, seen.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            seen[i] = handler.Handle(SharedHandlerSupport.Get("/counter")).BodyText());

        Assert.Equal(Enumerable.Range(1, seen.Length).Select(n => $$"""{"count":{{n}}}""").Order(), seen.Order());
    }

    [Fact]
    public void The_single_thread_counter_counts_one_by_one_on_one_thread()
    {
        var counter = new SingleThreadCounter();

        var counts = Enumerable.Range(0, 1000).Select(_ => counter.Increment()).ToArray();

        Assert.Equal(Enumerable.Range(1, 1000).Select(n => (long)n), counts);
    }
}
