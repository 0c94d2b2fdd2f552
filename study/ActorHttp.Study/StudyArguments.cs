namespace ActorHttp.Study;

/// <summary>The study's command line (study/run passes its own arguments through).</summary>
public sealed record StudyArguments(
    StudyOptions Options,
    IReadOnlyList<StudyServer> Servers,
    IReadOnlyList<string> Scenarios,
    string Repository,
    string Out,
    string? Document,
    string? Commit,
    bool ReportOnly)
{
    public const string Usage = """
        Usage: study/run [--quick] [--models m1,m2] [--scenarios s1,s2] [--out DIR] [--doc FILE] [--report-only]
                         [--rounds N] [--fresh]
          --quick        one short round of every scenario (under 5 minutes): a smoke run, not the study
          --rounds N     rounds of the throughput scenarios (full: 3, quick: 1)
          --fresh        a fresh server for every fault and the memory test, as the full run does (quick reuses one)
          --models       servers to run: actors, threads, pool, eventloop, tasks, kestrel, nginx (default: all)
          --scenarios    plaintext, json, pipelined, connections, idle-memory, open-loop, crash, hang, cpu,
                         blocking, slowloris, slow-body, slow-reader, overload, counter (default: all)
          --out DIR      where results.json, results.md and the charts go (default study/results)
          --doc FILE     where the written report goes (default: docs/concurrency-study.md for a full
                         run into study/results, else DIR/concurrency-study.md)
          --report-only  redraw results.md, the charts and the document from DIR/results.json
        """;

    public static StudyArguments Parse(IReadOnlyList<string> args)
    {
        string? Value(string name)
        {
            var index = args.ToList().IndexOf(name);
            if (index < 0)
            {
                return null;
            }

            return index + 1 < args.Count && !args[index + 1].StartsWith("--", StringComparison.Ordinal)
                ? args[index + 1]
                : throw new ArgumentException($"{name} needs a value");
        }

        var known = new[] { "--quick", "--report-only", "--fresh", "--models", "--scenarios", "--out", "--doc", "--repo", "--commit", "--rounds" };
        for (var i = 0; i < args.Count; i++)
        {
            if (!known.Contains(args[i]))
            {
                throw new ArgumentException($"unknown argument {args[i]}");
            }

            if (args[i] is not ("--quick" or "--report-only" or "--fresh"))
            {
                i++;
            }
        }

        var quick = args.Contains("--quick");
        var repository = Path.GetFullPath(Value("--repo") ?? Directory.GetCurrentDirectory());
        var defaultOut = Path.Combine(repository, "study", "results");
        var output = Path.GetFullPath(Value("--out") ?? defaultOut);
        var document = Value("--doc") ?? (!quick && output == defaultOut ? Path.Combine(repository, "docs", "concurrency-study.md") : null);
        var options = quick ? StudyOptions.Quick : StudyOptions.Full;
        if (Value("--rounds") is { } rounds)
        {
            options = options with { Rounds = int.TryParse(rounds, out var n) && n is > 0 and <= 20 ? n : throw new ArgumentException("--rounds must be a whole number from 1 to 20") };
        }

        if (args.Contains("--fresh"))
        {
            options = options with { FreshServers = true };
        }

        return new StudyArguments(
            options,
            StudyServer.Parse(Value("--models")),
            Scenario.Parse(Value("--scenarios")),
            repository,
            output,
            document,
            Value("--commit"),
            args.Contains("--report-only"));
    }
}
