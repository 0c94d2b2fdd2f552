using ActorHttp.Study;

namespace ActorHttp.Study.Tests;

public class WrkLoadTests
{
    private const string Output = """
        Running 1s test @ http://127.0.0.1:18180/hello
          2 threads and 64 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency     2.10ms    3.01ms  40.00ms   90.00%
            Req/Sec    13.00k     1.00k   15.00k    70.00%
          Latency Distribution
             50%    1.80ms
             75%    2.20ms
             90%    3.00ms
             99%   19.33ms
          26309 requests in 1.00s, 3.00MB read
          Non-2xx or 3xx responses: 9
        Requests/sec:  26309.00
        Transfer/sec:      3.00MB
        STUDY latency_us 1800 19330 29830 40000
        """;

    [Fact]
    public void Reads_the_percentiles_of_the_study_script_and_the_counts_of_wrk()
    {
        var figures = WrkLoad.Parse(Output, 1);

        Assert.Equal(1.8, figures.P50Ms, 3);
        Assert.Equal(19.33, figures.P99Ms, 3);
        Assert.Equal(29.83, figures.P999Ms, 3);
        Assert.Equal(40, figures.MaxMs, 3);
        Assert.Equal(26309, figures.Result.Requests);
        Assert.Equal(9, figures.Result.Non2xx);
    }

    [Fact]
    public void Requests_per_second_count_only_answers_below_400()
    {
        var figures = WrkLoad.Parse(Output, 1);

        Assert.Equal(26309.0 * (26309 - 9) / 26309, figures.SuccessfulPerSecond, 3);
    }

    [Fact]
    public void A_percentile_wrk_could_not_reach_is_not_measured_rather_than_zero()
    {
        var figures = WrkLoad.Parse(Output.Replace("STUDY latency_us 1800 19330 29830 40000", "STUDY latency_us 1800 19330 0 40000"), 1);

        Assert.True(double.IsNaN(figures.P999Ms));
    }

    [Fact]
    public void Output_without_the_study_line_is_refused()
    {
        Assert.Throws<FormatException>(() => WrkLoad.Parse(Output.Replace("STUDY latency_us 1800 19330 29830 40000", ""), 1));
    }

    [Fact]
    public void A_run_becomes_one_row_with_the_servers_cpu_and_switches_per_request()
    {
        var figures = WrkLoad.Parse(Output, 1);
        var usage = new ServerUsage(TimeSpan.FromSeconds(1), 52_618, 23, 90 * 1048576L, 80 * 1048576L, 85 * 1048576L);

        var sample = WrkLoad.ToSample("actors", Scenario.Plaintext, null, figures, usage);

        var row = Assert.Single(sample.Rows);
        Assert.Equal(38.01, row.CpuUsPerRequest!.Value, 2);
        Assert.Equal(23, row.Threads);
        Assert.Equal(90, row.RssMb);
        Assert.Equal(9, row.Non2xx);
        Assert.Equal(2, sample.Observations.Single(o => o.Name == "context_switches_per_request").Value!.Value, 3);
    }

    [Fact]
    public void The_script_and_the_target_are_on_the_command_line()
    {
        var arguments = WrkLoad.Arguments("/repo", 18180, "/hello", 256, 6, 16);

        Assert.Contains("-c256", arguments);
        Assert.Contains("-d6s", arguments);
        Assert.Contains("/repo/study/wrk/study.lua", arguments);
        Assert.Equal("http://127.0.0.1:18180/hello", arguments[^1]);
    }
}
