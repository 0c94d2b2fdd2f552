using System.Globalization;
using System.Text;

namespace ActorHttp.Study;

/// <summary>results.md: every row, each server's ratios to <c>actors</c> in the same run, the faults side by side, the observations and the knobs.</summary>
public static class StudyReport
{
    public static string ToMarkdown(StudyResults results)
    {
        var md = new StringBuilder();
        md.AppendLine("# ActorHttp concurrency-model study: results");
        md.AppendLine();
        md.AppendLine(Invariant($"{results.Mode} run, started {results.Machine.GetValueOrDefault("started_utc")} UTC{(results.Machine.TryGetValue("commit", out var commit) ? $", commit {commit}" : "")}, on {results.Machine.GetValueOrDefault("cores")} cores (load average at the start: {results.Machine.GetValueOrDefault("load_average_at_start")})."));
        if (results.Mode == "quick")
        {
            md.AppendLine();
            md.AppendLine("**Quick mode**: one short round, reduced sizes, one server per model for every scenario: these figures show that every scenario runs, not how the models compare.");
        }

        md.AppendLine();
        md.AppendLine("Ratios are each server's figure over `actors`' on the same scenario and step in this run (requests/s above 1: more than actors; p99 above 1: slower than actors). Requests/s counts answers below 400; errors are failed attempts (refused, reset, timed out, never sent) and non-2xx the answers of 400 or more, both summed over every round.");
        AppendRowTables(md, results);
        AppendFaultSummary(md, results);
        AppendObservations(md, results);
        AppendKnobs(md, results);
        return md.ToString();
    }

    /// <summary>One table per scenario with every row of it.</summary>
    public static void AppendRowTables(StringBuilder md, StudyResults results, int headingLevel = 2)
    {
        var heading = new string('#', headingLevel);
        foreach (var scenario in Scenario.All.Where(s => results.Rows.Any(r => r.Scenario == s)))
        {
            md.AppendLine();
            md.AppendLine($"{heading} {scenario}");
            md.AppendLine();
            md.AppendLine("| server | step | requests/s | vs actors | p50 ms | p99 ms | p99 vs actors | p99.9 ms | CPU µs/request | switches/request | threads | RSS MiB | errors | non-2xx |");
            md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var row in Ordered(results, results.Rows.Where(r => r.Scenario == scenario)))
            {
                if (row.Skipped is { } why)
                {
                    md.AppendLine($"| {row.Server} | {row.Step} | skipped: {why} | | | | | | | | | | | |");
                    continue;
                }

                md.AppendLine(Invariant(
                    $"| {row.Server} | {row.Step} | {N(row.Rps, "N0")} | {R(results.Ratio(row, r => r.Rps))} | {N(row.P50Ms, "0.00")} | {N(row.P99Ms, "0.00")} | {R(results.Ratio(row, r => r.P99Ms))} | {N(row.P999Ms, "0.00")} | {N(row.CpuUsPerRequest, "0.0")} | {N(results.Observed(row.Server, row.Scenario, row.Step, "context_switches_per_request"), "0.00")} | {row.Threads?.ToString(CultureInfo.InvariantCulture) ?? "–"} | {N(row.RssMb, "0")} | {row.Errors?.ToString("N0", CultureInfo.InvariantCulture) ?? "–"} | {row.Non2xx?.ToString("N0", CultureInfo.InvariantCulture) ?? "–"} |"));
            }
        }
    }

    /// <summary>The normal clients of every fault, baseline against fault, per server.</summary>
    public static void AppendFaultSummary(StringBuilder md, StudyResults results, int headingLevel = 2)
    {
        var faults = Scenario.Faults.Where(f => results.Rows.Any(r => r.Scenario == f && r.Skipped is null)).ToList();
        if (faults.Count == 0)
        {
            return;
        }

        md.AppendLine();
        md.AppendLine($"{new string('#', headingLevel)} The faults at a glance: normal clients on /hello");
        md.AppendLine();
        md.AppendLine("Each fault's normal clients without the fault (baseline) and with it: requests/s kept, p99 before and during, and the success rate during (answers below 400 over attempts).");
        md.AppendLine();
        md.AppendLine("| fault | server | req/s baseline | req/s fault | kept | p99 baseline ms | p99 fault ms | success during | what else |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (var fault in faults)
        {
            foreach (var server in results.Servers())
            {
                var baseline = results.Row(server, fault, "baseline");
                var during = results.Row(server, fault, "fault");
                if (baseline is null || during is null || baseline.Skipped is not null || during.Skipped is not null)
                {
                    var why = results.Rows.FirstOrDefault(r => r.Server == server && r.Scenario == fault && r.Skipped is not null)?.Skipped;
                    if (why is not null)
                    {
                        md.AppendLine($"| {fault} | {server} | skipped: {why} | | | | | | |");
                    }

                    continue;
                }

                md.AppendLine(Invariant(
                    $"| {fault} | {server} | {N(baseline.Rps, "N0")} | {N(during.Rps, "N0")} | {R(Kept(baseline, during))} | {N(baseline.P99Ms, "0.00")} | {N(during.P99Ms, "0.00")} | {P(results.Observed(server, fault, "fault", "success_rate"))} | {FaultDetail(results, server, fault)} |"));
            }
        }
    }

    /// <summary>The fault's requests/s over the baseline's.</summary>
    public static double? Kept(StudyRow baseline, StudyRow during) =>
        baseline.Rps is > 0 && during.Rps is { } rps ? rps / baseline.Rps : null;

    /// <summary>A fault's own figures in a few words: held attack sockets, the fault clients' answers, the overload's shed rate.</summary>
    public static string FaultDetail(StudyResults results, string server, string fault)
    {
        var parts = new List<string>();
        if (results.Observed(server, fault, "fault", "attack_sockets_held") is { } held)
        {
            parts.Add(Invariant($"{held:N0} of {results.Observed(server, fault, "fault", "attack_sockets"):N0} attack sockets held at the end"));
        }

        foreach (var step in results.Observations.Where(o => o.Server == server && o.Scenario == fault && o.Step?.StartsWith("fault /", StringComparison.Ordinal) == true).Select(o => o.Step!).Distinct())
        {
            var path = step["fault ".Length..];
            var attempts = results.Observed(server, fault, step, "attempts");
            var ok = results.Observed(server, fault, step, "answered_below_400");
            var failedStatus = results.Observed(server, fault, step, "answered_400_or_more");
            var lost = results.Observed(server, fault, step, "connections_lost");
            var timeouts = results.Observed(server, fault, step, "timeouts");
            var unfinished = results.Observed(server, fault, step, "unfinished_at_end");
            parts.Add(Invariant($"`{path}`: {attempts:N0} answered or failed, {ok:N0} answered <400, {failedStatus:N0} ≥400, {timeouts:N0} timed out, {lost:N0} connections lost, {unfinished:N0} still waiting at the end"));
        }

        if (results.Observed(server, fault, "offered 2x", "offered_rps") is { } offered)
        {
            parts.Add(Invariant($"offered {offered:N0}/s on the overload route, {P(results.Observed(server, fault, "offered 2x", "shed_fraction"))} shed"));
        }

        if (results.Observed(server, fault, "fault", "rss_peak_mb") is { } peak)
        {
            parts.Add(Invariant($"RSS {results.Observed(server, fault, "fault", "rss_before_mb"):0} → peak {peak:0} → {results.Observed(server, fault, "fault", "rss_after_mb"):0} MiB"));
        }

        if (results.Observed(server, fault, "fault", "server_exited") is 1)
        {
            parts.Add("**the server exited**");
        }

        return string.Join("; ", parts);
    }

    private static void AppendObservations(StringBuilder md, StudyResults results)
    {
        if (results.Observations.Count == 0)
        {
            return;
        }

        md.AppendLine();
        md.AppendLine("## Other figures (results.json `observations`)");
        md.AppendLine();
        md.AppendLine("| scenario | server | step | figure | value |");
        md.AppendLine("|---|---|---|---|---:|");
        foreach (var o in results.Observations.OrderBy(o => Scenario.All.ToList().IndexOf(o.Scenario)).ThenBy(o => StudyServer.Names.ToList().IndexOf(o.Server)))
        {
            md.AppendLine(Invariant($"| {o.Scenario} | {o.Server} | {o.Step} | {o.Name} | {N(o.Value, "0.###")} |"));
        }
    }

    public static void AppendKnobs(StringBuilder md, StudyResults results, int headingLevel = 2)
    {
        md.AppendLine();
        md.AppendLine($"{new string('#', headingLevel)} Every knob");
        foreach (var (section, settings) in results.Knobs)
        {
            md.AppendLine();
            md.AppendLine($"<details><summary>{section} ({settings.Count})</summary>");
            md.AppendLine();
            md.AppendLine("| key | value |");
            md.AppendLine("|---|---|");
            foreach (var (key, value) in settings)
            {
                md.AppendLine($"| `{key}` | {value.Replace("|", "\\|", StringComparison.Ordinal)} |");
            }

            md.AppendLine();
            md.AppendLine("</details>");
        }

        md.AppendLine();
        md.AppendLine("Machine: " + string.Join("; ", results.Machine.Select(m => $"{m.Key}: {m.Value}")));
    }

    public static IEnumerable<StudyRow> Ordered(StudyResults results, IEnumerable<StudyRow> rows)
    {
        var servers = results.Servers().ToList();
        return rows.OrderBy(r => servers.IndexOf(r.Server)).ThenBy(r => StepOrder(r.Step));
    }

    /// <summary>Numeric steps in numeric order, then the others as they come.</summary>
    private static double StepOrder(string? step) =>
        step is null ? 0 : double.TryParse(step, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : step switch { "baseline" => 1e12, "capacity" => 2e12, "offered 2x" => 3e12, "fault" => 4e12, _ => 5e12 };

    public static string N(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    public static string R(double? ratio) => ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "–";

    public static string P(double? fraction) => fraction is { } f ? (f * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%" : "–";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
