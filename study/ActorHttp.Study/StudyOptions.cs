namespace ActorHttp.Study;

/// <summary>
/// How long and how big each part of the study is. <see cref="Full"/> is the committed study (about an
/// hour); <see cref="Quick"/> is a smoke run of every scenario in under five minutes, whose figures
/// say what works, not how fast.
/// </summary>
public sealed record StudyOptions
{
    public required string Mode { get; init; }

    /// <summary>Rounds of the throughput scenarios (plaintext, json, pipelined, connections, open-loop, counter), the servers taking turns in each; the median round is kept.</summary>
    public required int Rounds { get; init; }

    /// <summary>wrk's warm-up before each measured run; zero for none (wrk counts whole seconds).</summary>
    public required int WarmupSeconds { get; init; }

    /// <summary>wrk's measured run for plaintext, json, pipelined, and each connections step.</summary>
    public required int DurationSeconds { get; init; }

    public IReadOnlyList<int> ConnectionSteps { get; init; } = [64, 256, 1024, 4096];

    public int Connections { get; init; } = 64;

    public int PipelineDepth { get; init; } = 16;

    public required IReadOnlyList<int> IdleCounts { get; init; }

    /// <summary>The open-loop scenario's fixed rate, requests per second; low enough for every model (and the generator) to keep up.</summary>
    public required int OpenLoopRate { get; init; }

    public required TimeSpan OpenLoopDuration { get; init; }

    /// <summary>Most connections the open-loop generator opens; requests wait for a free one beyond that (their wait counts in their latency).</summary>
    public int OpenLoopMaxConnections { get; init; } = 256;

    /// <summary>How long the open-loop generator waits for answers after the last scheduled request before counting the rest as unanswered.</summary>
    public required TimeSpan OpenLoopGrace { get; init; }

    /// <summary>Normal clients measuring <c>/hello</c> during a fault (each a request at a time on keep-alive connections).</summary>
    public int NormalConnections { get; init; } = 16;

    /// <summary>Connections of the fault's own clients (crash, cpu, blocking mixes).</summary>
    public int FaultConnections { get; init; } = 16;

    public int HangConnections { get; init; } = 200;

    public int HangMilliseconds { get; init; } = 10_000;

    public required int AttackSockets { get; init; }

    public required TimeSpan FaultBaseline { get; init; }

    public required TimeSpan FaultWindow { get; init; }

    /// <summary>How long slowhttptest gets to open its sockets before the normal clients measure.</summary>
    public required TimeSpan AttackRamp { get; init; }

    /// <summary>The overload scenario's route: CPU-bound, so twice what a model sustains is a rate the generator can send.</summary>
    public string OverloadPath { get; init; } = "/cpu?us=1000";

    public required TimeSpan CounterWindow { get; init; }

    /// <summary>Whether each fault and the idle-memory measurement get a fresh server (full); quick reuses the one server per model.</summary>
    public required bool FreshServers { get; init; }

    public static StudyOptions Full { get; } = new()
    {
        Mode = "full",
        Rounds = 3,
        WarmupSeconds = 2,
        DurationSeconds = 6,
        IdleCounts = [1_000, 10_000],
        OpenLoopRate = 2_000,
        OpenLoopDuration = TimeSpan.FromSeconds(20),
        OpenLoopGrace = TimeSpan.FromSeconds(5),
        AttackSockets = 1_000,
        FaultBaseline = TimeSpan.FromSeconds(5),
        FaultWindow = TimeSpan.FromSeconds(10),
        AttackRamp = TimeSpan.FromSeconds(3),
        CounterWindow = TimeSpan.FromSeconds(6),
        FreshServers = true,
    };

    public static StudyOptions Quick { get; } = new()
    {
        Mode = "quick",
        Rounds = 1,
        WarmupSeconds = 0,
        DurationSeconds = 1,
        IdleCounts = [1_000, 2_000],
        OpenLoopRate = 1_000,
        OpenLoopDuration = TimeSpan.FromSeconds(1.5),
        OpenLoopGrace = TimeSpan.FromSeconds(2),
        AttackSockets = 200,
        FaultBaseline = TimeSpan.FromSeconds(0.5),
        FaultWindow = TimeSpan.FromSeconds(1),
        AttackRamp = TimeSpan.FromSeconds(1),
        CounterWindow = TimeSpan.FromSeconds(1),
        FreshServers = false,
    };
}
