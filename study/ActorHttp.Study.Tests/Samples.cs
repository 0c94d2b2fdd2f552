using ActorHttp.Study;

namespace ActorHttp.Study.Tests;

/// <summary>Small results built by hand for the report, ratio and document tests.</summary>
internal static class Samples
{
    public static StudyRow Row(string server, string scenario, string? step, double rps, double p99, long errors = 0, long non2xx = 0) => new()
    {
        Server = server,
        Scenario = scenario,
        Step = step,
        Rps = rps,
        P50Ms = p99 / 4,
        P99Ms = p99,
        P999Ms = p99 * 2,
        CpuUsPerRequest = 20,
        Threads = 22,
        RssMb = 100,
        Errors = errors,
        Non2xx = non2xx,
    };

    public static StudyResults Results() => new()
    {
        Mode = "quick",
        Machine = new Dictionary<string, string> { ["cores"] = "2", ["started_utc"] = "2026-12-02 07:00:00" },
        Knobs = new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["study"] = new Dictionary<string, string> { ["overload"] = "capacity: wrk closed loop on /cpu?us=1000 with 64 connections" },
            ["actorhttp"] = new Dictionary<string, string> { ["actorhttp.models.pool.threads"] = "200" },
        },
        Rows =
        [
            Row("actors", Scenario.Plaintext, null, 40_000, 2),
            Row("threads", Scenario.Plaintext, null, 30_000, 4),
            Row("eventloop", Scenario.Plaintext, null, 50_000, 1),
            StudyRow.Skip("nginx", Scenario.Counter, "nginx has no handler for /counter"),
            Row("actors", Scenario.Connections, "64", 40_000, 2),
            Row("actors", Scenario.Connections, "4096", 30_000, 50),
            Row("threads", Scenario.Connections, "64", 30_000, 4),
            Row("threads", Scenario.Connections, "256", 28_000, 8),
            Row("threads", Scenario.Connections, "4096", 10_000, 400),
            Row("actors", Scenario.Cpu, "baseline", 20_000, 3),
            Row("actors", Scenario.Cpu, "fault", 18_000, 5),
            Row("eventloop", Scenario.Cpu, "baseline", 20_000, 3),
            Row("eventloop", Scenario.Cpu, "fault", 2_000, 300, errors: 50),
            Row("actors", Scenario.OpenLoop, null, 1_000, 3),
            Row("actors", Scenario.Counter, null, 20_000, 3),
            Row("threads", Scenario.IdleMemory, "1000", 0, 0) with { Rps = null, P50Ms = null, P99Ms = null, P999Ms = null },
        ],
        Observations =
        [
            new("eventloop", Scenario.Cpu, "fault", "success_rate", 0.95),
            new("actors", Scenario.Cpu, "fault", "success_rate", 1),
            new("threads", Scenario.IdleMemory, "1000", "kib_per_connection", 70),
            new("actors", Scenario.OpenLoop, null, "offered_rps", 1000),
            new("actors", Scenario.OpenLoop, null, "latency_ms_p50", 1),
            new("actors", Scenario.OpenLoop, null, "latency_ms_p99", 3),
            new("actors", Scenario.OpenLoop, null, "latency_ms_p99.9", 6),
            new("actors", Scenario.Counter, null, "answered", 100),
            new("actors", Scenario.Counter, null, "counted", 100),
            new("actors", Scenario.Counter, null, "lost_updates", 0),
        ],
    };
}
