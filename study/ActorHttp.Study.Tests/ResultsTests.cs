using System.Text.Json;
using ActorHttp.Study;

namespace ActorHttp.Study.Tests;

public class ResultsTests
{
    [Fact]
    public void Rows_have_exactly_the_issues_shape_with_step_and_skipped_only_when_they_apply()
    {
        var results = Samples.Results();

        using var json = JsonDocument.Parse(results.ToJson());

        Assert.Equal(["mode", "machine", "knobs", "rows", "observations"], json.RootElement.EnumerateObject().Select(p => p.Name));
        var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToList();
        string[] always = ["server", "scenario", "rps", "p50_ms", "p99_ms", "p999_ms", "cpu_us_per_request", "threads", "rss_mb", "errors", "non2xx"];
        Assert.Equal(always, rows[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal([.. always[..2], "step", .. always[2..]], rows[4].EnumerateObject().Select(p => p.Name));
        Assert.Contains("skipped", rows[3].EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, rows[^1].GetProperty("rps").ValueKind);
    }

    [Fact]
    public void Results_read_back_as_written()
    {
        var results = Samples.Results();

        var again = StudyResults.FromJson(results.ToJson());

        Assert.Equal(results.Rows, again.Rows);
        Assert.Equal(results.Observations, again.Observations);
        Assert.Equal("200", again.Knobs["actorhttp"]["actorhttp.models.pool.threads"]);
    }

    [Fact]
    public void Rounds_keep_the_median_round_with_its_observations_and_sum_the_errors_of_all()
    {
        Sample Round(double rps, long errors, double switches) => new(
            [Samples.Row("threads", Scenario.Plaintext, null, rps, 1, errors, non2xx: 1)],
            [new("threads", Scenario.Plaintext, null, "context_switches_per_request", switches)]);

        var combined = StudyResults.CombineRounds([Round(30_000, 1, 3), Round(10_000, 2, 1), Round(20_000, 4, 2)]);

        var row = Assert.Single(combined.Rows);
        Assert.Equal(20_000, row.Rps);
        Assert.Equal(7, row.Errors);
        Assert.Equal(3, row.Non2xx);
        Assert.Equal(2, Assert.Single(combined.Observations).Value);
    }

    [Fact]
    public void Rounds_combine_step_by_step()
    {
        var first = new Sample([Samples.Row("pool", Scenario.Connections, "64", 100, 1), Samples.Row("pool", Scenario.Connections, "4096", 10, 9)], []);
        var second = new Sample([Samples.Row("pool", Scenario.Connections, "64", 300, 1), Samples.Row("pool", Scenario.Connections, "4096", 30, 9)], []);

        var combined = StudyResults.CombineRounds([first, second]);

        Assert.Equal([100.0, 10.0], combined.Rows.Select(r => r.Rps!.Value));
    }

    [Fact]
    public void A_step_skipped_in_every_round_stays_skipped()
    {
        var skipped = Sample.Skipped("nginx", Scenario.Counter, "no /counter");

        var combined = StudyResults.CombineRounds([skipped, skipped]);

        Assert.Equal("no /counter", Assert.Single(combined.Rows).Skipped);
    }

    [Fact]
    public void Ratios_are_to_actors_on_the_same_scenario_and_step()
    {
        var results = Samples.Results();

        Assert.Equal(0.75, results.Ratio(results.Row("threads", Scenario.Plaintext)!, r => r.Rps));
        Assert.Equal(2, results.Ratio(results.Row("threads", Scenario.Plaintext)!, r => r.P99Ms));
        Assert.Null(results.Ratio(results.Row("threads", Scenario.Connections, "256")!, r => r.Rps));
        Assert.Null(results.Ratio(results.Row("nginx", Scenario.Counter)!, r => r.Rps));
    }

    [Fact]
    public void Servers_come_in_the_studys_order()
    {
        Assert.Equal(["actors", "threads", "eventloop", "nginx"], Samples.Results().Servers());
    }
}
