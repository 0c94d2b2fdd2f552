namespace ActorHttp.Bench;

/// <summary>Where the bench finds the built servers and keeps its scratch files.</summary>
public sealed record BenchPaths(string Repository, string WorkDirectory)
{
    public string StaticRoot => Path.Combine(WorkDirectory, "www");
}

/// <summary>A server the report compares: how to start it on a port, serving the bench's static root.</summary>
public sealed record Peer(string Name, Func<BenchPaths, int, (string File, string[] Arguments)> Command)
{
    public static Peer ActorHttp { get; } = new("ActorHttp", (paths, port) => ("dotnet",
    [
        Path.Combine(paths.Repository, "src/ActorHttp.Server/bin/Release/net10.0/ActorHttp.Server.dll"),
        "--host", "127.0.0.1", "--port", port.ToString(),
        "--config", Path.Combine(paths.Repository, "bench/actorhttp-bench.conf"),
        "--root", paths.StaticRoot,
    ]));

    public static Peer Kestrel { get; } = new("Kestrel", (paths, port) => ("dotnet",
    [
        Path.Combine(paths.Repository, "bench/peers/Kestrel/bin/Release/net10.0/Kestrel.dll"),
        "--urls", $"http://127.0.0.1:{port}",
        "--root", paths.StaticRoot,
    ]));

    public static Peer Nginx { get; } = new("nginx", (paths, port) => ("nginx",
    [
        "-p", WriteNginxConfig(paths, port), "-c", "nginx.conf", "-g", "daemon off;",
    ]));

    public static IReadOnlyList<Peer> All { get; } = [ActorHttp, Kestrel, Nginx];

    /// <summary>Fills the kept template (bench/peers/nginx.conf) with this run's port and folders.</summary>
    private static string WriteNginxConfig(BenchPaths paths, int port)
    {
        var prefix = Path.Combine(paths.WorkDirectory, "nginx");
        Directory.CreateDirectory(Path.Combine(prefix, "logs"));
        var template = File.ReadAllText(Path.Combine(paths.Repository, "bench/peers/nginx.conf"));
        File.WriteAllText(
            Path.Combine(prefix, "nginx.conf"),
            template.Replace("__PORT__", port.ToString()).Replace("__PREFIX__", prefix).Replace("__ROOT__", paths.StaticRoot));
        return prefix;
    }
}
