namespace ActorHttp.Study;

/// <summary>The study's scenarios, by the names results.json uses, in the order they run and are reported.</summary>
public static class Scenario
{
    public const string Plaintext = "plaintext";
    public const string Json = "json";
    public const string Pipelined = "pipelined";
    public const string Connections = "connections";
    public const string IdleMemory = "idle-memory";
    public const string OpenLoop = "open-loop";
    public const string Crash = "crash";
    public const string Hang = "hang";
    public const string Cpu = "cpu";
    public const string Blocking = "blocking";
    public const string Slowloris = "slowloris";
    public const string SlowBody = "slow-body";
    public const string SlowReader = "slow-reader";
    public const string Overload = "overload";
    public const string Counter = "counter";

    public static IReadOnlyList<string> All { get; } =
        [Plaintext, Json, Pipelined, Connections, IdleMemory, OpenLoop, Crash, Hang, Cpu, Blocking, Slowloris, SlowBody, SlowReader, Overload, Counter];

    /// <summary>The faults: normal clients measure <c>/hello</c> without, then with, the fault.</summary>
    public static IReadOnlyList<string> Faults { get; } = [Crash, Hang, Cpu, Blocking, Slowloris, SlowBody, SlowReader, Overload];

    /// <summary>Scenarios run <see cref="StudyOptions.Rounds"/> times; the others once per server.</summary>
    public static bool HasRounds(string scenario) => scenario is Plaintext or Json or Pipelined or Connections or OpenLoop or Counter;

    /// <summary>The paths a scenario needs the server to answer, so a server without them is skipped with the reason.</summary>
    public static IReadOnlyList<string> Paths(string scenario, StudyOptions options) => scenario switch
    {
        Json => ["/json"],
        Crash => ["/crash?fail=0"],
        Hang => ["/slow?ms=0"],
        Cpu => ["/cpu?us=0"],
        Blocking => ["/block?ms=0"],
        SlowReader => ["/bench/1m.bin"],
        Overload => [options.OverloadPath],
        Counter => ["/counter"],
        _ => ["/hello"],
    };

    /// <summary>Parses <c>--scenarios a,b</c>; unknown names are an error naming the known ones.</summary>
    public static IReadOnlyList<string> Parse(string? list) =>
        ParseNames(list, All, "scenario");

    internal static IReadOnlyList<string> ParseNames(string? list, IReadOnlyList<string> known, string what)
    {
        if (string.IsNullOrWhiteSpace(list))
        {
            return known;
        }

        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = names.Where(name => !known.Contains(name)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"unknown {what}(s): {string.Join(", ", unknown)}; known: {string.Join(", ", known)}");
        }

        // In the study's order, whatever the order given.
        return known.Where(names.Contains).ToList();
    }
}
