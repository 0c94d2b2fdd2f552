using ActorHttp.Study;

namespace ActorHttp.Study.Tests;

public class OpenLoopTests
{
    [Fact]
    public void The_schedule_spaces_requests_evenly_at_the_rate()
    {
        var schedule = new OpenLoopSchedule(1000, TimeSpan.FromSeconds(2));

        Assert.Equal(2000, schedule.Count);
        Assert.Equal(TimeSpan.Zero, schedule.Due(0));
        Assert.Equal(TimeSpan.FromMilliseconds(1), schedule.Due(1));
        Assert.Equal(TimeSpan.FromMilliseconds(1999), schedule.Due(1999));
    }

    [Fact]
    public void Requests_are_due_by_their_time_and_never_past_the_end()
    {
        var schedule = new OpenLoopSchedule(100, TimeSpan.FromSeconds(1));

        Assert.Equal(1, schedule.DueBy(TimeSpan.Zero));
        Assert.Equal(1, schedule.DueBy(TimeSpan.FromMilliseconds(9.9)));
        Assert.Equal(2, schedule.DueBy(TimeSpan.FromMilliseconds(10)));
        Assert.Equal(100, schedule.DueBy(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Latency_counts_from_the_scheduled_time_so_a_stall_is_charged_to_every_request_it_delayed()
    {
        // Requests every 10 ms; the server stalls 100 ms, then answers everything at once at 100 ms.
        var schedule = new OpenLoopSchedule(100, TimeSpan.FromSeconds(1));
        var answered = TimeSpan.FromMilliseconds(100);

        var latencies = Enumerable.Range(0, 10).Select(i => schedule.LatencyMs(i, answered)).ToList();

        // A closed-loop client would have sent one request and recorded one 100 ms latency; the open
        // loop records all ten requests the stall held back, from 100 ms down to 10 ms.
        Assert.Equal([100, 90, 80, 70, 60, 50, 40, 30, 20, 10], latencies.Select(l => Math.Round(l)).ToList());
    }

    [Fact]
    public void Shed_counts_every_scheduled_request_not_answered_below_400()
    {
        var schedule = new OpenLoopSchedule(100, TimeSpan.FromSeconds(1));
        var result = new OpenLoopResult(schedule, Successes: 80, ErrorStatuses: 10, Failed: 6, Unsent: 4, ConnectionsOpened: 3, SortedLatenciesMs: [1, 2, 3, 4], P99SendLagMs: 0.5);

        Assert.Equal(0.2, result.ShedFraction, 6);
        Assert.Equal(80, result.SuccessfulPerSecond, 6);
        Assert.Equal(2, result.Percentile(50));
        Assert.Equal(4, result.Percentile(100));
    }

    [Fact]
    public void A_run_becomes_a_row_and_the_distribution_for_the_chart()
    {
        var schedule = new OpenLoopSchedule(100, TimeSpan.FromSeconds(1));
        var result = new OpenLoopResult(schedule, 98, 0, 1, 1, 4, Enumerable.Range(1, 98).Select(i => (double)i).ToList(), 0.2);
        var usage = new ServerUsage(TimeSpan.FromMilliseconds(98), 196, 20, 1048576L, 1048576L, 1048576L);

        var sample = result.ToSample("actors", Scenario.OpenLoop, null, usage);

        var row = Assert.Single(sample.Rows);
        Assert.Equal(98, row.Rps);
        Assert.Equal(2, row.Errors);
        Assert.Equal(1000, row.CpuUsPerRequest);
        Assert.Equal(98, sample.Observations.Single(o => o.Name == OpenLoopResult.LatencyName(100)).Value);
        Assert.Equal("latency_ms_p99.9", OpenLoopResult.LatencyName(99.9));
    }
}
