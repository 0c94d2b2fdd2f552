namespace ActorHttp.Bench.Tests;

public sealed class AttackReportTests
{
    private static LoopResult Loop(long successes, long errorStatuses = 0, long connectErrors = 0, long timeouts = 0, double p99 = 2.0, double window = 10) =>
        new(window, successes, errorStatuses, connectErrors, timeouts, 0, successes, Statuses(successes, errorStatuses), p99 / 2, p99);

    private static SortedDictionary<int, long> Statuses(long ok, long errors)
    {
        var statuses = new SortedDictionary<int, long>();
        if (ok > 0)
        {
            statuses[200] = ok;
        }

        if (errors > 0)
        {
            statuses[500] = errors;
        }

        return statuses;
    }

    private static AttackerView Sockets(int opened, int closed) =>
        new(1000, opened, [new SocketReactions("", opened, closed, new SortedDictionary<int, long> { [408] = closed }, 5.5, closed, 5.6)], null);

    private static AttackMeasurement Server(string name, LoopResult during, int held) =>
        new(name, null, [new NormalComparison("/hello", Loop(100_000), during)], held, Sockets(1000, 1000 - held), 100 * 1048576L, 150 * 1048576L, 110 * 1048576L);

    private static AttackOutcome SlowBody(params AttackMeasurement[] servers) =>
        new("1,000 slow-body sockets", "Each sends a head, then 1 byte every 10 s.", true, servers);

    [Fact]
    public void Loop_results_combine_every_connection_and_count_failures_as_attempts()
    {
        var first = new ClientTally { Successes = 3, SuccessesInWindow = 2, ConnectErrors = 1 };
        first.Statuses[200] = 3;
        first.LatenciesMs.AddRange([1, 2, 3]);
        var second = new ClientTally { Successes = 1, SuccessesInWindow = 1, ErrorStatuses = 2, Timeouts = 1, Closed = 1 };
        second.Statuses[200] = 1;
        second.Statuses[503] = 2;
        second.LatenciesMs.AddRange([10, 4, 5]);

        var result = LoopResult.Combine(TimeSpan.FromSeconds(2), [first, second]);

        Assert.Equal(9, result.Attempts);
        Assert.Equal(4.0 / 9, result.SuccessRate, 9);
        Assert.Equal(1.5, result.RequestsPerSecond);
        Assert.Equal(new Dictionary<int, long> { [200] = 4, [503] = 2 }, result.Statuses);
        Assert.Equal(3, result.P50Ms);
        Assert.Equal(10, result.P99Ms);
    }

    [Fact]
    public void Percentiles_are_nearest_rank_and_empty_gives_nan()
    {
        var sorted = Enumerable.Range(1, 100).Select(i => (double)i).ToList();

        Assert.Equal(99, LoopResult.Percentile(sorted, 0.99));
        Assert.Equal(50, LoopResult.Percentile(sorted, 0.50));
        Assert.True(double.IsNaN(LoopResult.Percentile([], 0.5)));
        Assert.True(double.IsNaN(LoopResult.Combine(TimeSpan.FromSeconds(1), []).SuccessRate));
    }

    [Fact]
    public void Attacker_view_groups_sockets_by_variant_with_median_times()
    {
        var sockets = new[]
        {
            new AttackSocket("XTTP/1.1") { Opened = true, SecondsToAnswer = 0.01, Status = 400, SecondsToClose = 1.0 },
            new AttackSocket("XTTP/1.1") { Opened = true, SecondsToAnswer = 0.03, Status = 400, SecondsToClose = 1.2 },
            new AttackSocket("XTTP/1.1") { Opened = true },
            new AttackSocket("NUL in the request line") { Opened = true, SecondsToAnswer = 30.0, Status = 408 },
            new AttackSocket("NUL in the request line"),
        };

        var view = AttackerView.FromSockets(6, sockets, watched: true);

        Assert.Equal(4, view.Opened);
        var xttp = view.Reactions.Single(r => r.Variant == "XTTP/1.1");
        Assert.Equal((3, 2, 2, 1), (xttp.Opened, xttp.Answered, xttp.ClosedByServer, xttp.OpenAtEnd));
        Assert.Equal(0.01, xttp.MedianSecondsToAnswer);
        Assert.Equal(new Dictionary<int, long> { [400] = 2 }, xttp.Statuses);
        Assert.Equal(
            "opened 4 of 6; XTTP/1.1: 2 answered (400 ×2) after 0.01 s (median), 2 closed by the server after 1.0 s (median); NUL in the request line: 1 answered (408 ×1) after 30.0 s (median), none closed",
            view.Describe());
        Assert.Equal("never reads: the server side's count is all there is", AttackerView.FromSockets(2, sockets[..2], watched: false).Describe());
    }

    [Fact]
    public void Verdict_passes_when_normal_clients_keep_their_success_and_actorhttp_holds_no_more_than_the_better_peer()
    {
        var attack = SlowBody(Server("ActorHttp", Loop(95_000), held: 0), Server("Kestrel", Loop(99_000), held: 0), Server("nginx", Loop(99_000), held: 1000));

        Assert.Equal(new AttackVerdict(true, []).Pass, attack.Judge().Pass);
        Assert.Empty(attack.Judge().Reasons);
    }

    [Fact]
    public void Verdict_fails_on_lost_success_or_on_more_held_sockets_and_says_why()
    {
        var attack = SlowBody(
            Server("ActorHttp", Loop(50_000, connectErrors: 50_000), held: 1000),
            Server("Kestrel", Loop(99_000), held: 3),
            AttackMeasurement.Skip("nginx", "nginx cannot"));

        var verdict = attack.Judge();

        Assert.False(verdict.Pass);
        Assert.Equal(
            ["/hello: success rate during the attack 0.50 of the baseline's (target 0.9)", "holds 1,000 attack sockets at the end, the better peer (Kestrel) 3"],
            verdict.Reasons);
    }

    [Fact]
    public void Verdict_fails_without_a_successful_baseline()
    {
        var actorHttp = new AttackMeasurement("ActorHttp", null, [new NormalComparison("/crash?fail=0", Loop(0, errorStatuses: 500), Loop(0, errorStatuses: 400))], null, null, 0, 0, 0);
        var attack = new AttackOutcome("a client crashing a handler", "One connection loops GET /crash.", false, [actorHttp]);

        Assert.Null(actorHttp.Normal[0].SuccessRatio);
        Assert.Equal(["/crash?fail=0: no successful baseline to compare with (500 ×500)"], attack.Judge().Reasons);
    }

    [Fact]
    public void Markdown_has_a_table_per_attack_with_skips_and_the_verdict()
    {
        var report = new AttackReport(
            new DateTime(2026, 11, 22, 23, 0, 0, DateTimeKind.Utc),
            "quick",
            "test setup.",
            4,
            [SlowBody(Server("ActorHttp", Loop(95_000, timeouts: 5_000, p99: 8.0), held: 0), Server("Kestrel", Loop(99_000), held: 2), AttackMeasurement.Skip("nginx", "nginx cannot"))]);

        var markdown = report.ToMarkdown();

        Assert.Contains("## 1. 1,000 slow-body sockets", markdown);
        Assert.Contains("| RSS 4 s after |", markdown);
        Assert.Contains("| ActorHttp | `/hello` | 10,000 | 9,500 | 2.00 ms | 8.00 ms | 100.0% | 95.0% | 0.95 | 0 | 100 MiB | 150 MiB | 110 MiB | 51.2 KiB | 1,000 answered (408 ×1,000) after 5.5 s (median), 1,000 closed by the server after 5.6 s (median) |", markdown);
        Assert.Contains("| nginx | — | — nginx cannot |", markdown);
        Assert.Contains("**ActorHttp: PASS**", markdown);
        Assert.All(markdown.Split('\n').Where(line => line.StartsWith("| ", StringComparison.Ordinal)), line => Assert.Equal(16, line.Count(c => c == '|')));
    }

    [Fact]
    public void Json_keeps_every_figure_and_the_verdict()
    {
        var report = new AttackReport(DateTime.UnixEpoch, "quick", "setup", 4, [SlowBody(Server("ActorHttp", Loop(95_000), held: 7))]);

        var json = report.ToJson();

        Assert.Contains("\"HeldAtEnd\": 7", json);
        Assert.Contains("\"Pass\": true", json);
        Assert.Contains("\"P99Ms\": 2", json);
        Assert.Contains("\"Variant\": \"\"", json);
    }
}

public sealed class AttackSelectionTests
{
    [Fact]
    public void Every_attack_runs_unless_some_are_named_by_number()
    {
        var all = ActorHttp.Bench.AttackScenario.Selected(ActorHttp.Bench.AttackOptions.Quick);
        var third = ActorHttp.Bench.AttackScenario.Selected(ActorHttp.Bench.AttackOptions.Quick with { Only = new HashSet<int> { 3 } });
        var firstAndLast = ActorHttp.Bench.AttackScenario.Selected(ActorHttp.Bench.AttackOptions.Quick with { Only = new HashSet<int> { 1, 6 } });

        Assert.Equal(6, all.Count);
        Assert.Equal([all[2].Name], third.Select(s => s.Name));
        Assert.Equal([all[0].Name, all[5].Name], firstAndLast.Select(s => s.Name));
    }
}
