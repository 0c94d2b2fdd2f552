using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorHttp.Bench;

/// <summary>
/// One server on one workload: its result (the round with the median requests/s), every round, or
/// why it was skipped. Errors are counted over every round, so no round's can be hidden.
/// </summary>
public sealed record Measurement(string Server, string Workload, WrkResult? Result, string? Skipped, long ResidentBytes)
{
    public IReadOnlyList<WrkResult> Rounds { get; init; } = Result is null ? [] : [Result];

    public long SocketErrors => Rounds.Sum(r => r.SocketErrors);

    public long Non2xx => Rounds.Sum(r => r.Non2xx);

    public static Measurement FromRounds(string server, string workload, IReadOnlyList<WrkResult> rounds, long residentBytes)
    {
        var median = ActorHttp.Bench.Rounds.Median(rounds, r => r.RequestsPerSecond);
        return new Measurement(server, workload, median, null, residentBytes) { Rounds = rounds };
    }
}

/// <summary>How the rounds of one measurement become its figure.</summary>
public static class Rounds
{
    /// <summary>The round with the median <paramref name="figure"/> (the lower middle one of an even count), so its other figures stay those of one real run.</summary>
    public static T Median<T>(IReadOnlyList<T> rounds, Func<T, double> figure) =>
        rounds.Count == 0
            ? throw new ArgumentException("no rounds", nameof(rounds))
            : rounds.OrderBy(r => double.IsNaN(figure(r)) ? double.NegativeInfinity : figure(r)).ElementAt((rounds.Count - 1) / 2);
}

/// <summary>One server's memory under idle keep-alive connections.</summary>
public sealed record IdleMeasurement(string Server, IdleMemoryResult Memory);

/// <summary>Everything one run of the bench measured, with how it was run.</summary>
public sealed record BenchReport(
    DateTime StartedUtc,
    string Mode,
    string Setup,
    IReadOnlyList<Measurement> Measurements,
    IReadOnlyList<IdleMeasurement> Idle)
{
    public const string Baseline = "ActorHttp";

    /// <summary>ActorHttp with no configuration file (access log on); its ratios to <see cref="Baseline"/> are what the defaults cost.</summary>
    public const string DefaultConfiguration = "ActorHttp (default)";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>A peer's requests/s over ActorHttp's on the same workload in the same run; null when either is missing.</summary>
    public double? ThroughputRatio(Measurement measurement) =>
        Ratio(measurement, m => m.RequestsPerSecond);

    /// <summary>A peer's p99 latency over ActorHttp's; null when either is missing.</summary>
    public double? P99Ratio(Measurement measurement) =>
        Ratio(measurement, m => m.P99Ms);

    /// <summary>A peer's server CPU per request over ActorHttp's (median round of each); null when either is missing.</summary>
    public double? CpuRatio(Measurement measurement) =>
        Ratio(measurement, m => m.ServerCpuMicrosecondsPerRequest);

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine("# ActorHttp benchmark");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Run {StartedUtc:yyyy-MM-dd HH:mm} UTC, {Mode} mode. {Setup}");
        md.AppendLine();
        md.AppendLine("Ratios are each server's figure over ActorHttp's in this same run: a throughput ratio above 1 means that server served more requests per second than ActorHttp; a p99 ratio above 1 means its slowest 1% were slower than ActorHttp's.");
        md.AppendLine();
        md.AppendLine("Server CPU per request is the server's CPU time (user + system) over the measured run divided by the requests it served: it moves much less than requests/s when the shared machine slows down.");
        md.AppendLine();
        md.AppendLine("| workload | server | requests/s | vs ActorHttp | p50 | p99 | p99 vs ActorHttp | CPU per request | CPU vs ActorHttp | socket errors | non-2xx | RSS | every round (requests/s) |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var m in Measurements)
        {
            if (m.Result is not { } r)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {m.Workload} | {m.Server} | skipped: {m.Skipped} | | | | | | | | | | |");
                continue;
            }

            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {m.Workload} | {m.Server} | {r.RequestsPerSecond:N0} | {FormatRatio(ThroughputRatio(m))} | {FormatMs(r.P50Ms)} | {FormatMs(r.P99Ms)} | {FormatRatio(P99Ratio(m))} | {FormatMicroseconds(r.ServerCpuMicrosecondsPerRequest)} | {FormatRatio(CpuRatio(m))} | {m.SocketErrors:N0} | {m.Non2xx:N0} | {m.ResidentBytes / 1048576.0:N0} MiB | {string.Join(" / ", m.Rounds.Select(round => round.RequestsPerSecond.ToString("N0", CultureInfo.InvariantCulture)))} |");
        }

        AppendDefaultConfigurationCost(md);
        md.AppendLine();
        md.AppendLine("## Memory with idle keep-alive connections");
        md.AppendLine();
        md.AppendLine("| server | connections | RSS before | RSS after | per connection | vs ActorHttp |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        var baseline = Idle.FirstOrDefault(i => i.Server == Baseline)?.Memory.BytesPerConnection;
        foreach (var idle in Idle)
        {
            var memory = idle.Memory;
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {idle.Server} | {memory.Connections:N0} | {memory.ResidentBefore / 1048576.0:N1} MiB | {memory.ResidentAfter / 1048576.0:N1} MiB | {memory.BytesPerConnection / 1024:N1} KiB | {FormatRatio(baseline is > 0 ? memory.BytesPerConnection / baseline : null)} |");
        }

        return md.ToString();
    }

    /// <summary>Grouped bars of requests/s: one group per workload, one bar per server.</summary>
    public void SaveChart(string path)
    {
        var servers = Measurements.Select(m => m.Server).Distinct().ToList();
        var workloads = Measurements.Select(m => m.Workload).Distinct().ToList();
        var palette = new ScottPlot.Palettes.Category10();
        var plot = new ScottPlot.Plot();
        var bars = new List<ScottPlot.Bar>();
        for (var w = 0; w < workloads.Count; w++)
        {
            for (var s = 0; s < servers.Count; s++)
            {
                var result = Measurements.FirstOrDefault(m => m.Workload == workloads[w] && m.Server == servers[s])?.Result;
                if (result is not null)
                {
                    bars.Add(new ScottPlot.Bar
                    {
                        Position = w * (servers.Count + 1) + s,
                        Value = result.RequestsPerSecond / 1000,
                        FillColor = palette.GetColor(s),
                    });
                }
            }
        }

        plot.Add.Bars(bars);
        var ticks = workloads.Select((name, w) => new ScottPlot.Tick(w * (servers.Count + 1) + (servers.Count - 1) / 2.0, name.Replace(" ", "\n", StringComparison.Ordinal))).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Margins(bottom: 0);
        plot.YLabel("thousand requests/s");
        plot.Title($"ActorHttp vs peers, same machine, same run ({Mode})");
        for (var s = 0; s < servers.Count; s++)
        {
            plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = servers[s], FillColor = palette.GetColor(s) });
        }

        plot.Legend.Alignment = ScottPlot.Alignment.UpperRight;
        plot.SavePng(path, 1400, 650);
    }

    /// <summary>
    /// What ActorHttp's defaults (chiefly the access log) cost on each workload: the default
    /// configuration's requests/s and CPU per request over the quiet one's, in this same run.
    /// </summary>
    private void AppendDefaultConfigurationCost(StringBuilder md)
    {
        var rows = Measurements.Where(m => m.Server == DefaultConfiguration && m.Result is not null).ToList();
        if (rows.Count == 0)
        {
            return;
        }

        md.AppendLine();
        md.AppendLine("## ActorHttp's default configuration");
        md.AppendLine();
        md.AppendLine($"`{DefaultConfiguration}` runs with no configuration file: access log on (its standard output goes to a file, as a deployed server's would), logging at Information. `{Baseline}` runs with `bench/actorhttp-bench.conf` (access log off, logging at Warning), like the peers. The ratios are the default's figure over the quiet one's in this same run.");
        md.AppendLine();
        md.AppendLine("| workload | requests/s, default over quiet | CPU per request, default over quiet |");
        md.AppendLine("|---|---:|---:|");
        foreach (var m in rows)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {m.Workload} | {FormatRatio(ThroughputRatio(m))} | {FormatRatio(CpuRatio(m))} |");
        }
    }

    private double? Ratio(Measurement measurement, Func<WrkResult, double> figure)
    {
        var baseline = Measurements.FirstOrDefault(m => m.Server == Baseline && m.Workload == measurement.Workload)?.Result;
        if (baseline is null || measurement.Result is null)
        {
            return null;
        }

        var denominator = figure(baseline);
        return denominator > 0 && !double.IsNaN(denominator) && !double.IsNaN(figure(measurement.Result)) ? figure(measurement.Result) / denominator : null;
    }

    private static string FormatRatio(double? ratio) => ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "–";

    private static string FormatMicroseconds(double us) => double.IsNaN(us) ? "–" : us.ToString("0.00", CultureInfo.InvariantCulture) + " µs";

    private static string FormatMs(double ms) => double.IsNaN(ms) ? "–" : ms.ToString("0.00", CultureInfo.InvariantCulture) + " ms";
}
