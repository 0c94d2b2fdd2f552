using ActorHttp.Bench;

namespace ActorHttp.Study;

/// <summary>
/// One server of the study: ActorHttp in one concurrency model, Kestrel, or nginx, started through
/// the bench's <see cref="Peer"/> and <see cref="ServerProcess"/> (by handle, on 127.0.0.1).
/// </summary>
/// <param name="Paths">The paths it serves (prefixes); null for every study route.</param>
public sealed record StudyServer(string Name, Peer Peer, IReadOnlyList<string>? Paths = null, string? Model = null)
{
    /// <summary>The names of ActorHttp's models (issue 12), in the study's order; <c>actors</c> is the baseline of every ratio.</summary>
    public static IReadOnlyList<string> ModelNames { get; } = ["actors", "threads", "pool", "eventloop", "tasks"];

    public const string Baseline = "actors";

    public static IReadOnlyList<string> Names { get; } = [.. ModelNames, "kestrel", "nginx"];

    public static IReadOnlyList<StudyServer> All { get; } =
    [
        .. ModelNames.Select(ModelServer),
        new("kestrel", Peer.Kestrel),
        // nginx serves what a static server can: fixed answers and files; no handler code runs.
        new("nginx", Peer.Nginx, ["/hello", "/json", "/bench/"]),
    ];

    public static IReadOnlyList<StudyServer> Parse(string? list) =>
        Scenario.ParseNames(list, Names, "server").Select(name => All.First(s => s.Name == name)).ToList();

    /// <summary>Why this server cannot take part in a scenario; null when it can.</summary>
    public string? WhyNot(string scenario, StudyOptions options)
    {
        if (Paths is null)
        {
            return null;
        }

        var missing = Scenario.Paths(scenario, options).FirstOrDefault(path => !Paths.Any(served => path.StartsWith(served, StringComparison.Ordinal)));
        return missing is null ? null : $"{Name} has no handler for {missing.Split('?')[0]}";
    }

    /// <summary>
    /// ActorHttp.Server in model <paramref name="model"/> with the study's configuration; the actor
    /// model is started without <c>--model</c>, so the study also runs on a build that predates it.
    /// </summary>
    private static StudyServer ModelServer(string model) => new(model, new Peer(model, (paths, port) => ("dotnet",
    [
        ServerDll(paths),
        "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--config", ConfigFile(paths),
        "--root", paths.StaticRoot,
        .. model == Baseline ? Array.Empty<string>() : ["--model", model],
    ])), Model: model);

    public static string ServerDll(BenchPaths paths) => System.IO.Path.Combine(paths.Repository, "src/ActorHttp.Server/bin/Release/net10.0/ActorHttp.Server.dll");

    public static string ConfigFile(BenchPaths paths) => System.IO.Path.Combine(paths.Repository, "study/actorhttp-study.conf");
}
