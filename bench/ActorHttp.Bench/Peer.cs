namespace ActorHttp.Bench;

/// <summary>Where the bench finds the built servers and keeps its scratch files.</summary>
public sealed record BenchPaths(string Repository, string WorkDirectory)
{
    public string StaticRoot => Path.Combine(WorkDirectory, "www");

    /// <summary>The files every server serves in the static-file workloads, the same bytes on every run.</summary>
    public void WriteStaticFiles()
    {
        var folder = Path.Combine(StaticRoot, "bench");
        Directory.CreateDirectory(folder);
        var random = new Random(42);
        foreach (var (name, size) in new[] { ("1k.bin", 1024), ("1m.bin", 1024 * 1024) })
        {
            var bytes = new byte[size];
            random.NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(folder, name), bytes);
        }

        File.WriteAllText(Path.Combine(StaticRoot, "index.html"), "<!doctype html><title>bench</title>");
    }

    /// <summary>Where a server's standard output and error go.</summary>
    public string ServerOutput(int port) => Path.Combine(WorkDirectory, $"server-{port}.log");
}

/// <summary>A server the report compares: how to start it on a port, serving the bench's static root.</summary>
/// <param name="IdleMemory">Whether its memory with idle connections is measured.</param>
public sealed record Peer(string Name, Func<BenchPaths, int, (string File, string[] Arguments)> Command, bool IdleMemory = true)
{
    public static Peer ActorHttp { get; } = ActorHttpWith("bench/actorhttp-bench.conf");

    /// <summary>
    /// ActorHttp as it ships, no configuration file: access log on (to standard output, which the
    /// bench sends to a file), logging at Information. Beside <see cref="ActorHttp"/> (quiet, like
    /// the peers) it shows what the defaults cost. Its idle memory is <see cref="ActorHttp"/>'s.
    /// </summary>
    public static Peer ActorHttpDefault { get; } = new("ActorHttp (default)", (paths, port) => ("dotnet",
    [
        ActorHttpServerDll(paths),
        "--host", "127.0.0.1", "--port", port.ToString(),
        "--root", paths.StaticRoot,
    ]), IdleMemory: false);

    /// <summary>
    /// Another build of ActorHttp (bench/run --baseline REV builds that revision), with the same quiet
    /// configuration as <see cref="ActorHttp"/>: a change's before and after, measured in one run with
    /// the rounds taking turns, so a slow spell of the machine falls on both alike.
    /// </summary>
    public static Peer Baseline(string name, string serverDll) => new(name, (paths, port) => ("dotnet",
    [
        serverDll,
        "--host", "127.0.0.1", "--port", port.ToString(),
        "--config", Path.Combine(paths.Repository, "bench/actorhttp-bench.conf"),
        "--root", paths.StaticRoot,
    ]), IdleMemory: false);

    /// <summary>
    /// <see cref="ActorHttp"/>'s quiet configuration with metrics, request ids and traces on at the
    /// shipped sampling ratio (bench/actorhttp-observed.conf over bench/actorhttp-bench.conf): its
    /// ratios to <see cref="ActorHttp"/> are what seeing the server costs. Its idle memory is not measured.
    /// </summary>
    public static Peer ActorHttpObserved { get; } = ActorHttpObservedWith("ActorHttp (observed)", "bench/actorhttp-observed.conf");

    /// <summary>
    /// <see cref="ActorHttpObserved"/> with every trace recorded and exported (sampling ratio 1,
    /// OpenTelemetry's own default; bench/actorhttp-observed-every-trace.conf on top): the shipped
    /// default samples one trace in ten, and this row shows what the rest would cost.
    /// </summary>
    public static Peer ActorHttpObservedEveryTrace { get; } = ActorHttpObservedWith(
        "ActorHttp (observed + every trace)", "bench/actorhttp-observed.conf", "bench/actorhttp-observed-every-trace.conf");

    public static Peer Kestrel { get; } = new("Kestrel", (paths, port) => ("dotnet",
    [
        Path.Combine(paths.Repository, "bench/peers/Kestrel/bin/Release/net10.0/Kestrel.dll"),
        "--urls", $"http://127.0.0.1:{port}",
        "--root", paths.StaticRoot,
    ]));

    public static Peer Nginx { get; } = NginxWith("bench/peers/nginx.conf");

    public static IReadOnlyList<Peer> All { get; } = [ActorHttp, ActorHttpDefault, ActorHttpObserved, ActorHttpObservedEveryTrace, Kestrel, Nginx];

    /// <summary>
    /// The servers of the attack bench (bench/run --attacks), each with its default limits and
    /// timeouts, since those are what an attacker meets; the throughput bench's configurations
    /// raise them for its 1024-connection and idle-memory runs.
    /// </summary>
    public static IReadOnlyList<Peer> UnderAttack { get; } =
        [ActorHttpWith("bench/actorhttp-attacks.conf"), Kestrel, NginxWith("bench/peers/nginx-attacks.conf")];

    private static Peer ActorHttpWith(string configFile) => new("ActorHttp", (paths, port) => ("dotnet",
    [
        ActorHttpServerDll(paths),
        "--host", "127.0.0.1", "--port", port.ToString(),
        "--config", Path.Combine(paths.Repository, configFile),
        "--root", paths.StaticRoot,
    ]));

    /// <summary>ActorHttp with the quiet configuration and <paramref name="overlays"/> over it, in that order (later files win).</summary>
    private static Peer ActorHttpObservedWith(string name, params string[] overlays) => new(name, (paths, port) => ("dotnet",
    [
        ActorHttpServerDll(paths),
        "--host", "127.0.0.1", "--port", port.ToString(),
        "--config", Path.Combine(paths.Repository, "bench/actorhttp-bench.conf"),
        .. overlays.SelectMany(overlay => new[] { "--config", Path.Combine(paths.Repository, overlay) }),
        "--root", paths.StaticRoot,
    ]), IdleMemory: false);

    private static string ActorHttpServerDll(BenchPaths paths) => Path.Combine(paths.Repository, "src/ActorHttp.Server/bin/Release/net10.0/ActorHttp.Server.dll");

    private static Peer NginxWith(string template) => new("nginx", (paths, port) => ("nginx",
    [
        "-p", WriteNginxConfig(paths, port, template), "-c", "nginx.conf", "-g", "daemon off;",
    ]));

    /// <summary>Fills a kept template (bench/peers/*.conf) with this run's port and folders.</summary>
    private static string WriteNginxConfig(BenchPaths paths, int port, string template)
    {
        var prefix = Path.Combine(paths.WorkDirectory, "nginx");
        Directory.CreateDirectory(Path.Combine(prefix, "logs"));
        var text = File.ReadAllText(Path.Combine(paths.Repository, template));
        File.WriteAllText(
            Path.Combine(prefix, "nginx.conf"),
            text.Replace("__PORT__", port.ToString()).Replace("__PREFIX__", prefix).Replace("__ROOT__", paths.StaticRoot));
        return prefix;
    }
}
