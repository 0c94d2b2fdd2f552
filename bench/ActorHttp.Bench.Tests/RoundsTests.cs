using ActorHttp.Bench;

namespace ActorHttp.Bench.Tests;

public class RoundsTests
{
    [Fact]
    public void The_median_round_is_the_middle_one_or_the_lower_middle_of_an_even_count()
    {
        Assert.Equal(20, Rounds.Median([30.0, 10.0, 20.0], x => x));
        Assert.Equal(10, Rounds.Median([30.0, 10.0], x => x));
        Assert.Equal(5, Rounds.Median([5.0], x => x));
    }

    [Fact]
    public void A_round_without_a_figure_ranks_lowest()
    {
        Assert.Equal(3, Rounds.Median([double.NaN, 3.0, 4.0], x => x));
    }

    [Fact]
    public void Looping_clients_report_the_99_9th_percentile_and_what_a_cancellation_cut_off()
    {
        var tally = new ClientTally { Successes = 1000, SuccessesInWindow = 1000, Unfinished = 2 };
        tally.LatenciesMs.AddRange(Enumerable.Range(1, 1000).Select(i => (double)i));

        var result = LoopResult.Combine(TimeSpan.FromSeconds(1), [tally]);

        Assert.Equal(999, result.P999Ms);
        Assert.Equal(2, result.Unfinished);
        Assert.Equal(1000, result.Attempts);
    }
}
