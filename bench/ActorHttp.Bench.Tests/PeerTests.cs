namespace ActorHttp.Bench.Tests;

public sealed class PeerTests
{
    private static readonly BenchPaths Paths = new(RepositoryRoot(), Path.GetTempPath());

    [Fact]
    public void The_observed_row_runs_beside_the_all_off_one_with_the_observed_settings_over_the_quiet_ones()
    {
        Assert.Contains(Peer.All, peer => peer.Name == "ActorHttp");
        var observed = Assert.Single(Peer.All, peer => peer.Name == "ActorHttp (observed)");
        var (_, arguments) = observed.Command(Paths, 8123);

        var configs = arguments.Select((argument, i) => (argument, i)).Where(a => a.argument == "--config").Select(a => arguments[a.i + 1]).ToList();
        Assert.Equal([Path.Combine(Paths.Repository, "bench/actorhttp-bench.conf"), Path.Combine(Paths.Repository, "bench/actorhttp-observed.conf")], configs);
        Assert.Contains("8123", arguments);
        Assert.False(observed.IdleMemory);
    }

    [Fact]
    public void The_every_trace_row_adds_sampling_ratio_one_over_the_observed_settings()
    {
        var everyTrace = Assert.Single(Peer.All, peer => peer.Name == "ActorHttp (observed + every trace)");
        var (_, arguments) = everyTrace.Command(Paths, 8124);

        var configs = arguments.Select((argument, i) => (argument, i)).Where(a => a.argument == "--config").Select(a => arguments[a.i + 1]).ToList();
        Assert.Equal(
            [
                Path.Combine(Paths.Repository, "bench/actorhttp-bench.conf"),
                Path.Combine(Paths.Repository, "bench/actorhttp-observed.conf"),
                Path.Combine(Paths.Repository, "bench/actorhttp-observed-every-trace.conf"),
            ],
            configs);
        Assert.Equal("1", Settings(File.ReadAllLines(configs[2]))["actorhttp.telemetry.sampling-ratio"]);
        Assert.False(Settings(File.ReadAllLines(configs[1])).ContainsKey("actorhttp.telemetry.sampling-ratio"));
        Assert.False(everyTrace.IdleMemory);
    }

    [Fact]
    public void The_observed_configuration_turns_on_metrics_request_ids_and_trace_export_and_the_quiet_one_request_ids_off()
    {
        var observed = Settings(File.ReadAllLines(Path.Combine(Paths.Repository, "bench/actorhttp-observed.conf")));
        var quiet = Settings(File.ReadAllLines(Path.Combine(Paths.Repository, "bench/actorhttp-bench.conf")));

        Assert.Equal("on", observed["actorhttp.metrics.enabled"]);
        Assert.Equal("on", observed["actorhttp.telemetry.request-id"]);
        Assert.StartsWith("\"http://127.0.0.1:", observed["actorhttp.telemetry.otlp-endpoint"]);
        Assert.Equal("off", quiet["actorhttp.telemetry.request-id"]);
        Assert.False(quiet.ContainsKey("actorhttp.metrics.enabled"));
    }

    /// <summary>The <c>key = value</c> lines of a flat configuration file (the bench's are flat).</summary>
    private static Dictionary<string, string> Settings(IEnumerable<string> lines) =>
        lines.Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#') && line.Contains('='))
            .Select(line => line.Split('=', 2))
            .ToDictionary(parts => parts[0].Trim(), parts => parts[1].Trim());

    private static string RepositoryRoot()
    {
        var folder = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(folder, "ActorHttp.sln")))
        {
            folder = Path.GetDirectoryName(folder) ?? throw new InvalidOperationException("ActorHttp.sln not found above the test binaries");
        }

        return folder;
    }
}
