using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorHttp.Bench;

/// <summary>One group of normal clients (one path), without and during the attack.</summary>
public sealed record NormalComparison(string Path, LoopResult Baseline, LoopResult During)
{
    /// <summary>Success rate during the attack over the baseline's; null when the baseline had no success to compare with.</summary>
    public double? SuccessRatio => Baseline.SuccessRate > 0 && !double.IsNaN(During.SuccessRate) ? During.SuccessRate / Baseline.SuccessRate : null;
}

/// <summary>One server under one attack, or why it could not take part.</summary>
/// <param name="HeldAtEnd">Attack sockets the server still held at the attack's end; null where that says nothing.</param>
/// <param name="ServerExited">The server was gone by the end of the measurement (its memory then reads 0).</param>
public sealed record AttackMeasurement(
    string Server,
    string? Skipped,
    IReadOnlyList<NormalComparison> Normal,
    int? HeldAtEnd,
    AttackerView? Attacker,
    long RssBefore,
    long RssPeak,
    long RssAfter,
    bool ServerExited = false)
{
    /// <summary>How much the server's memory grew at its peak for each attack socket opened; null without any.</summary>
    public double? PeakGrowthPerAttackSocket => Attacker is { Opened: > 0, Requests: null } attacker
        ? (double)(RssPeak - RssBefore) / attacker.Opened
        : null;

    public static AttackMeasurement Skip(string server, string reason) => new(server, reason, [], null, null, 0, 0, 0);

    /// <summary>One line for the console while the bench runs.</summary>
    public string Summary() => Skipped ?? string.Join("; ", Normal.Select(n => string.Create(CultureInfo.InvariantCulture,
            $"{n.Path}: {n.Baseline.RequestsPerSecond:N0} → {n.During.RequestsPerSecond:N0} req/s, success {n.Baseline.SuccessRate:P1} → {n.During.SuccessRate:P1}")))
        + string.Create(CultureInfo.InvariantCulture, $"; held {HeldAtEnd?.ToString(CultureInfo.InvariantCulture) ?? "—"}; RSS {RssBefore / 1048576.0:N0}/{RssPeak / 1048576.0:N0}/{RssAfter / 1048576.0:N0} MiB")
        + (ServerExited ? "; the server exited" : "")
        + (Attacker is null ? "" : $"; {Attacker.Describe()}");
}

/// <summary>ActorHttp against the target of issue 10 on one attack.</summary>
public sealed record AttackVerdict(bool Pass, IReadOnlyList<string> Reasons);

/// <summary>Every server under one attack.</summary>
public sealed record AttackOutcome(string Name, string Description, bool CountsHeldSockets, IReadOnlyList<AttackMeasurement> Servers)
{
    /// <summary>Normal clients must keep this share of their unattacked success rate.</summary>
    public const double SuccessTarget = 0.9;

    /// <summary>
    /// The target: ActorHttp's normal clients keep at least <see cref="SuccessTarget"/> of their
    /// unattacked success rate on every path, and ActorHttp holds no more attack sockets at the end
    /// than the better peer that took part.
    /// </summary>
    public AttackVerdict Judge()
    {
        var actorHttp = Servers.FirstOrDefault(s => s.Server == BenchReport.Baseline);
        if (actorHttp is null || actorHttp.Skipped is not null)
        {
            return new AttackVerdict(false, [$"{BenchReport.Baseline} did not take part: {actorHttp?.Skipped ?? "not run"}"]);
        }

        var reasons = new List<string>();
        if (actorHttp.ServerExited)
        {
            reasons.Add("the server exited");
        }

        foreach (var normal in actorHttp.Normal)
        {
            if (normal.SuccessRatio is not { } ratio)
            {
                reasons.Add(string.Create(CultureInfo.InvariantCulture, $"{normal.Path}: no successful baseline to compare with ({FormatStatuses(normal.Baseline)})"));
            }
            else if (ratio < SuccessTarget)
            {
                reasons.Add(string.Create(CultureInfo.InvariantCulture, $"{normal.Path}: success rate during the attack {ratio:0.00} of the baseline's (target {SuccessTarget:0.0})"));
            }
        }

        var betterPeer = Servers.Where(s => s.Server != BenchReport.Baseline && s.HeldAtEnd is not null).MinBy(s => s.HeldAtEnd);
        if (CountsHeldSockets && betterPeer is not null && actorHttp.HeldAtEnd > betterPeer.HeldAtEnd)
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"holds {actorHttp.HeldAtEnd:N0} attack sockets at the end, the better peer ({betterPeer.Server}) {betterPeer.HeldAtEnd:N0}"));
        }

        return new AttackVerdict(reasons.Count == 0, reasons);
    }

    private static string FormatStatuses(LoopResult result)
    {
        var unanswered = result.Attempts - result.Successes - result.ErrorStatuses;
        var parts = result.Statuses.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key} ×{s.Value:N0}"));
        return result.Attempts == 0
            ? "no attempt"
            : string.Join(", ", unanswered > 0 ? parts.Append(string.Create(CultureInfo.InvariantCulture, $"{unanswered:N0} unanswered")) : parts);
    }
}

/// <summary>Everything one run of the attack bench measured, with how it was run.</summary>
public sealed record AttackReport(DateTime StartedUtc, string Mode, string Setup, double AfterSeconds, IReadOnlyList<AttackOutcome> Attacks)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // A file for people and scripts, never embedded in HTML: backticks and quotes stay as they are.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson() => JsonSerializer.Serialize(
        new { StartedUtc, Mode, Setup, AfterSeconds, Attacks = Attacks.Select(a => new { a.Name, a.Description, Verdict = a.Judge(), a.Servers }) },
        JsonOptions);

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine("# ActorHttp under attack");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Run {StartedUtc:yyyy-MM-dd HH:mm} UTC, {Mode} mode. {Setup}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Target (issue 10, \"no client may lock others out\"), checked for ActorHttp on each attack: normal clients get at least {AttackOutcome.SuccessTarget:0.0} of their unattacked success rate, and ActorHttp holds no more attack sockets at the end than the better peer.");
        for (var a = 0; a < Attacks.Count; a++)
        {
            var attack = Attacks[a];
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"## {a + 1}. {attack.Name}");
            md.AppendLine();
            md.AppendLine(attack.Description);
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"| server | normal clients | requests/s baseline | requests/s during | p99 baseline | p99 during | success baseline | success during | during / baseline | attack sockets held at end | RSS before | RSS peak | RSS {AfterSeconds:0} s after | peak growth per attack socket | what the attacker saw |");
            md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            foreach (var server in attack.Servers)
            {
                if (server.Skipped is not null)
                {
                    md.AppendLine(CultureInfo.InvariantCulture, $"| {server.Server} | — | — {server.Skipped} | | | | | | | | | | | | |");
                    continue;
                }

                for (var n = 0; n < server.Normal.Count; n++)
                {
                    var normal = server.Normal[n];
                    var perServer = n == 0
                        ? string.Create(CultureInfo.InvariantCulture,
                            $"{server.HeldAtEnd?.ToString("N0", CultureInfo.InvariantCulture) ?? "—"} | {Mib(server.RssBefore)} | {Mib(server.RssPeak)} | {Mib(server.RssAfter)}{(server.ServerExited ? " (exited)" : "")} | {(server.PeakGrowthPerAttackSocket is { } growth ? $"{growth / 1024:N1} KiB" : "—")} | {server.Attacker?.Describe()}")
                        : " | | | | | ";
                    md.AppendLine(CultureInfo.InvariantCulture,
                        $"| {(n == 0 ? server.Server : "")} | `{normal.Path}` | {Rps(normal.Baseline)} | {Rps(normal.During)} | {Ms(normal.Baseline.P99Ms)} | {Ms(normal.During.P99Ms)} | {Share(normal.Baseline.SuccessRate)} | {Share(normal.During.SuccessRate)} | {(normal.SuccessRatio is { } ratio ? ratio.ToString("0.00", CultureInfo.InvariantCulture) : "—")} | {perServer} |");
                }
            }

            var verdict = attack.Judge();
            md.AppendLine();
            md.AppendLine(verdict.Pass ? "**ActorHttp: PASS**" : $"**ActorHttp: FAIL**: {string.Join("; ", verdict.Reasons)}.");
        }

        return md.ToString();
    }

    private static string Rps(LoopResult result) => double.IsNaN(result.RequestsPerSecond) ? "—" : result.RequestsPerSecond.ToString("N0", CultureInfo.InvariantCulture);

    private static string Ms(double ms) => double.IsNaN(ms) ? "—" : ms.ToString("0.00", CultureInfo.InvariantCulture) + " ms";

    private static string Share(double rate) => double.IsNaN(rate) ? "—" : (rate * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("N0", CultureInfo.InvariantCulture) + " MiB";
}
