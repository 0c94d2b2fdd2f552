namespace ActorHttp.Bench.Tests;

public sealed class BenchReportTests
{
    private static WrkResult Result(double rps, double p99, long errors = 0, long non2xx = 0) =>
        new(rps, (long)rps * 10, p99 / 2, p99, errors, 0, 0, 0, non2xx);

    private static BenchReport Report() => new(
        new DateTime(2026, 11, 22, 23, 0, 0, DateTimeKind.Utc),
        "quick",
        "test setup.",
        [
            new Measurement("ActorHttp", "plaintext", Result(80_000, 2.0), null, 100 * 1048576L),
            new Measurement("Kestrel", "plaintext", Result(100_000, 3.0, errors: 5), null, 80 * 1048576L),
            new Measurement("ActorHttp", "actor counter", Result(50_000, 4.0), null, 100 * 1048576L),
            new Measurement("nginx", "actor counter", null, "nginx answers 404 on /counter", 10 * 1048576L),
        ],
        [
            new IdleMeasurement("ActorHttp", new IdleMemoryResult(10_000, 100 * 1048576L, 200 * 1048576L)),
            new IdleMeasurement("Kestrel", new IdleMemoryResult(10_000, 80 * 1048576L, 130 * 1048576L)),
        ]);

    [Fact]
    public void Ratios_compare_each_server_with_actorhttp_on_the_same_workload()
    {
        var report = Report();

        Assert.Equal(1.25, report.ThroughputRatio(report.Measurements[1])!.Value, 6);
        Assert.Equal(1.5, report.P99Ratio(report.Measurements[1])!.Value, 6);
        Assert.Equal(1.0, report.ThroughputRatio(report.Measurements[0])!.Value, 6);
        Assert.Null(report.ThroughputRatio(report.Measurements[3]));
    }

    [Fact]
    public void Markdown_shows_ratios_errors_skips_and_memory()
    {
        var markdown = Report().ToMarkdown();

        Assert.Contains("| plaintext | Kestrel | 100,000 | 1.25 | 1.50 ms | 3.00 ms | 1.50 | – | – | 5 | 0 | 80 MiB | 100,000 |", markdown);
        Assert.Contains("| actor counter | nginx | skipped: nginx answers 404 on /counter |", markdown);
        Assert.Contains("| ActorHttp | 10,000 | 100.0 MiB | 200.0 MiB | 10.2 KiB | 1.00 |", markdown);
        Assert.Contains("| Kestrel | 10,000 | 80.0 MiB | 130.0 MiB | 5.1 KiB | 0.50 |", markdown);
        Assert.Contains("test setup.", markdown);
    }

    [Fact]
    public void Rounds_show_the_median_round_and_count_every_rounds_errors()
    {
        var measurement = Measurement.FromRounds(
            "Kestrel",
            "plaintext",
            [Result(90_000, 2.0, errors: 1), Result(70_000, 5.0), Result(110_000, 1.0, non2xx: 3)],
            80 * 1048576L);

        Assert.Equal(90_000, measurement.Result!.RequestsPerSecond);
        Assert.Equal(2.0, measurement.Result.P99Ms);
        Assert.Equal(3, measurement.Rounds.Count);
        Assert.Equal(1, measurement.SocketErrors);
        Assert.Equal(3, measurement.Non2xx);

        var report = Report() with { Measurements = [measurement] };
        Assert.Contains("| plaintext | Kestrel | 90,000 | – | 1.00 ms | 2.00 ms | – | – | – | 1 | 3 | 80 MiB | 90,000 / 70,000 / 110,000 |", report.ToMarkdown());
    }

    [Fact]
    public void Server_cpu_per_request_is_shown_with_its_ratio_to_actorhttp()
    {
        var report = Report() with
        {
            Measurements =
            [
                new Measurement("ActorHttp", "plaintext", Result(80_000, 2.0) with { ServerCpuMicrosecondsPerRequest = 10.0 }, null, 100 * 1048576L),
                new Measurement("Kestrel", "plaintext", Result(100_000, 3.0) with { ServerCpuMicrosecondsPerRequest = 12.5 }, null, 80 * 1048576L),
            ],
        };

        Assert.Equal(1.25, report.CpuRatio(report.Measurements[1])!.Value, 6);
        Assert.Contains("| plaintext | Kestrel | 100,000 | 1.25 | 1.50 ms | 3.00 ms | 1.50 | 12.50 µs | 1.25 | 0 | 0 | 80 MiB | 100,000 |", report.ToMarkdown());
    }

    [Fact]
    public void Json_keeps_every_measurement()
    {
        var json = Report().ToJson();

        Assert.Contains("\"Skipped\": \"nginx answers 404 on /counter\"", json);
        Assert.Contains("\"RequestsPerSecond\": 100000", json);
        Assert.Contains("\"ConnectErrors\": 5", json);
    }

    [Fact]
    public void Chart_is_written_as_a_png()
    {
        var path = Path.Combine(Path.GetTempPath(), $"bench-chart-{Guid.NewGuid():N}.png");
        try
        {
            Report().SaveChart(path);

            var header = File.ReadAllBytes(path).Take(8).ToArray();
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, header);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_default_configuration_row_gets_its_cost_over_the_quiet_one()
    {
        var report = Report() with
        {
            Measurements =
            [
                new Measurement("ActorHttp", "plaintext", Result(80_000, 2.0) with { ServerCpuMicrosecondsPerRequest = 10.0 }, null, 100 * 1048576L),
                new Measurement("ActorHttp (default)", "plaintext", Result(76_000, 2.2) with { ServerCpuMicrosecondsPerRequest = 10.5 }, null, 100 * 1048576L),
                new Measurement("ActorHttp (default)", "actor counter", null, "ActorHttp (default) answers 503 on /counter", 100 * 1048576L),
            ],
        };

        var markdown = report.ToMarkdown();

        Assert.Contains("| plaintext | ActorHttp (default) | 76,000 | 0.95 |", markdown);
        Assert.Contains("## ActorHttp's default configuration", markdown);
        Assert.Contains("| plaintext | 0.95 | 1.05 |", markdown);
        Assert.DoesNotContain("| actor counter | –", markdown);
    }

    [Fact]
    public void Without_a_default_configuration_row_there_is_no_such_section()
    {
        Assert.DoesNotContain("default configuration", Report().ToMarkdown());
    }
}
