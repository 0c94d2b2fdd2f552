using System.Globalization;

namespace ActorHttp.Bench;

/// <summary>
/// How big and how long the attacks are: full for the report, quick for a smoke check (fewer
/// sockets, shorter phases, and the memory "after" read sooner than 60 s). The warm-up is long
/// enough for the .NET servers' tiered JIT to settle, or the baseline would read low.
/// </summary>
public sealed record AttackOptions(
    string Mode,
    int Sockets,
    int ManySockets,
    int NormalConnections,
    TimeSpan Warmup,
    TimeSpan Baseline,
    TimeSpan Hold,
    TimeSpan After)
{
    /// <summary>The attacks to run by their number in the report (1-based, <c>--attack 3</c> or <c>--attack 1,3</c>); null for all.</summary>
    public IReadOnlySet<int>? Only { get; init; }

    public static AttackOptions Full { get; } = new("full", 1_000, 10_000, 16, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(60));

    public static AttackOptions Quick { get; } = new("quick", 200, 2_000, 16, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(3));
}

/// <summary>One attack of the issue's table: what it does, what the normal clients ask meanwhile, which servers can take part.</summary>
/// <param name="CountsHeldSockets">Whether the sockets a server still holds at the end say anything (not for the crash client's one connection).</param>
/// <param name="WhyNot">Why a server cannot take part; null when it can.</param>
public sealed record AttackScenario(
    string Name,
    string Description,
    IReadOnlyList<string> NormalPaths,
    bool CountsHeldSockets,
    Func<IAttack> Create,
    Func<Peer, string?> WhyNot)
{
    public static IReadOnlyList<AttackScenario> All(AttackOptions options)
    {
        static string? EveryServer(Peer _) => null;
        return
        [
            new(
                Count("{0} slow-body sockets", options.Sockets),
                $"Each sends a complete `POST {SlowBodyAttack.Path}` head announcing an 8 KiB body, then the body at 1 byte every {SlowBodyAttack.Interval.TotalSeconds:0} s.",
                ["/hello"], true, () => new SlowBodyAttack(options.Sockets), EveryServer),
            new(
                Count("{0} slow-body sockets", options.ManySockets),
                "The same, ten times as many.",
                ["/hello"], true, () => new SlowBodyAttack(options.ManySockets), EveryServer),
            new(
                Count("{0} idle keep-alive connections", options.ManySockets),
                "Each makes one complete `GET /hello`, reads the answer, then stays idle.",
                ["/hello"], true, () => new IdleKeepAliveAttack(options.ManySockets), EveryServer),
            new(
                Count("{0} clients that never read", options.Sockets),
                "Each pipelines 16 `GET /bench/1m.bin` with a 4 KiB receive window and never reads an answer.",
                ["/hello"], true, () => new NonReadingAttack(options.Sockets), EveryServer),
            new(
                Count("{0} invalid partial heads", options.Sockets),
                $"Each sends a request line and one field that are already invalid ({string.Join("; ", InvalidHeadAttack.Variants.Select(v => v.Name))}, in turn) and never ends the head.",
                ["/hello"], true, () => new InvalidHeadAttack(options.Sockets), EveryServer),
            new(
                "a client crashing a handler",
                $"One connection loops `GET {CrashAttack.Path}` (the handler throws) while normal clients ask `{CrashAttack.Path}?fail=0` (the same route, not failing) and `/hello`.",
                [$"{CrashAttack.Path}?fail=0", "/hello"], false, () => new CrashAttack(options.Hold),
                peer => peer.Name == Peer.Nginx.Name ? "nginx runs no handler code that could crash" : null),
        ];
    }

    /// <summary>The attacks <see cref="AttackOptions.Only"/> selects, in report order.</summary>
    public static IReadOnlyList<AttackScenario> Selected(AttackOptions options) =>
        [.. All(options).Where((_, index) => options.Only is null || options.Only.Contains(index + 1))];

    private static string Count(string format, int count) => string.Format(CultureInfo.InvariantCulture, format, count.ToString("N0", CultureInfo.InvariantCulture));
}
