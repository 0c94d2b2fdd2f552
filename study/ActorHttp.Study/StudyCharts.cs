using System.Globalization;

namespace ActorHttp.Study;

/// <summary>The study's charts (ScottPlot, PNG), drawn from results.json alone so they can be redrawn without rerunning.</summary>
public static class StudyCharts
{
    public const string Connections = "connections.png";
    public const string FaultsP99 = "faults-p99.png";
    public const string IdleMemory = "idle-memory.png";
    public const string OpenLoopLatency = "open-loop-latency.png";

    /// <summary>Draws every chart it has figures for into <paramref name="folder"/>; returns the files written.</summary>
    public static IReadOnlyList<string> SaveAll(StudyResults results, string folder)
    {
        var written = new List<string>();
        void Save(string name, Func<ScottPlot.Plot?> draw, int width, int height)
        {
            if (draw() is { } plot)
            {
                plot.SavePng(Path.Combine(folder, name), width, height);
                written.Add(name);
            }
        }

        Save(Connections, () => ConnectionsChart(results), 1100, 600);
        Save(FaultsP99, () => FaultsChart(results), 1400, 650);
        Save(IdleMemory, () => IdleChart(results), 1100, 600);
        Save(OpenLoopLatency, () => OpenLoopChart(results), 1100, 600);
        return written;
    }

    /// <summary>Requests/s against concurrent connections, one line per server (connections on a log scale).</summary>
    public static ScottPlot.Plot? ConnectionsChart(StudyResults results)
    {
        var rows = results.Rows.Where(r => r.Scenario == Scenario.Connections && r.Skipped is null && r.Rps is not null).ToList();
        if (rows.Count == 0)
        {
            return null;
        }

        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var steps = new SortedSet<double>();
        foreach (var (server, index) in results.Servers().Select((s, i) => (s, i)))
        {
            var points = rows.Where(r => r.Server == server)
                .Select(r => (x: double.Parse(r.Step!, CultureInfo.InvariantCulture), y: r.Rps!.Value / 1000))
                .OrderBy(p => p.x).ToList();
            if (points.Count == 0)
            {
                continue;
            }

            steps.UnionWith(points.Select(p => p.x));
            var line = plot.Add.Scatter(points.Select(p => Math.Log2(p.x)).ToArray(), points.Select(p => p.y).ToArray(), palette.GetColor(index));
            line.LegendText = server;
            line.LineWidth = 2;
            line.MarkerSize = 7;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(steps.Select(s => new ScottPlot.Tick(Math.Log2(s), s.ToString("N0", CultureInfo.InvariantCulture))).ToArray());
        plot.XLabel("concurrent connections (wrk, /hello)");
        plot.YLabel("thousand answers/s below 400");
        plot.Title($"Requests/s against connections, per model ({results.Mode} run)");
        plot.Legend.Alignment = ScottPlot.Alignment.UpperRight;
        plot.ShowLegend();
        plot.Axes.SetLimitsY(0, rows.Max(r => r.Rps!.Value) / 1000 * 1.1);
        return plot;
    }

    /// <summary>Normal clients' p99 under each fault, grouped bars per fault, one bar per server, on a log scale (baseline as a thin dark bar behind).</summary>
    public static ScottPlot.Plot? FaultsChart(StudyResults results)
    {
        var faults = Scenario.Faults.Where(f => results.Rows.Any(r => r.Scenario == f && r.Step == "fault" && r.P99Ms is not null)).ToList();
        if (faults.Count == 0)
        {
            return null;
        }

        var servers = results.Servers();
        var palette = new ScottPlot.Palettes.Category10();
        var plot = new ScottPlot.Plot();
        var bars = new List<ScottPlot.Bar>();
        // Log scale: bars of log10(ms) rising from 0.1 ms, so both a 0.3 ms and a 5,000 ms p99 read.
        const double floorMs = 0.1;
        var top = 0.0;
        for (var f = 0; f < faults.Count; f++)
        {
            for (var s = 0; s < servers.Count; s++)
            {
                var during = results.Row(servers[s], faults[f], "fault");
                if (during?.P99Ms is not { } p99)
                {
                    continue;
                }

                var position = f * (servers.Count + 1) + s;
                var value = Math.Log10(Math.Max(p99, floorMs));
                top = Math.Max(top, value);
                bars.Add(new ScottPlot.Bar { Position = position, Value = value, ValueBase = Math.Log10(floorMs), FillColor = palette.GetColor(s) });
                if (results.Row(servers[s], faults[f], "baseline")?.P99Ms is { } baseline)
                {
                    bars.Add(new ScottPlot.Bar { Position = position, Value = Math.Log10(Math.Max(baseline, floorMs)), ValueBase = Math.Log10(floorMs), FillColor = ScottPlot.Colors.Black.WithAlpha(0.55), Size = 0.25 });
                }
            }
        }

        plot.Add.Bars(bars);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            faults.Select((name, f) => new ScottPlot.Tick(f * (servers.Count + 1) + (servers.Count - 1) / 2.0, name)).ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(LogTicks(-1, (int)Math.Ceiling(top) + 1));
        plot.Axes.SetLimitsY(Math.Log10(floorMs), Math.Ceiling(top) + 0.2);
        plot.YLabel("normal clients' p99 on /hello, ms (log scale)");
        plot.Title($"p99 of normal clients under each fault; thin dark bar: the same clients without the fault ({results.Mode} run)");
        for (var s = 0; s < servers.Count; s++)
        {
            plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = servers[s], FillColor = palette.GetColor(s) });
        }

        plot.Legend.Alignment = ScottPlot.Alignment.UpperLeft;
        plot.ShowLegend();
        return plot;
    }

    /// <summary>Memory per idle keep-alive connection, grouped by connection count, one bar per server.</summary>
    public static ScottPlot.Plot? IdleChart(StudyResults results)
    {
        var steps = results.Observations.Where(o => o.Scenario == Scenario.IdleMemory && o.Name == "kib_per_connection" && o.Value is not null)
            .Select(o => o.Step!).Distinct().OrderBy(s => double.Parse(s, CultureInfo.InvariantCulture)).ToList();
        if (steps.Count == 0)
        {
            return null;
        }

        var servers = results.Servers();
        var palette = new ScottPlot.Palettes.Category10();
        var plot = new ScottPlot.Plot();
        var bars = new List<ScottPlot.Bar>();
        for (var c = 0; c < steps.Count; c++)
        {
            for (var s = 0; s < servers.Count; s++)
            {
                if (results.Observed(servers[s], Scenario.IdleMemory, steps[c], "kib_per_connection") is { } kib)
                {
                    bars.Add(new ScottPlot.Bar { Position = c * (servers.Count + 1) + s, Value = kib, FillColor = palette.GetColor(s) });
                }
            }
        }

        plot.Add.Bars(bars);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            steps.Select((step, c) => new ScottPlot.Tick(c * (servers.Count + 1) + (servers.Count - 1) / 2.0, $"{double.Parse(step, CultureInfo.InvariantCulture):N0} idle connections")).ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Margins(bottom: 0);
        plot.YLabel("KiB of resident memory per idle connection");
        plot.Title($"Memory per idle keep-alive connection ({results.Mode} run)");
        for (var s = 0; s < servers.Count; s++)
        {
            plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = servers[s], FillColor = palette.GetColor(s) });
        }

        plot.Legend.Alignment = ScottPlot.Alignment.UpperRight;
        plot.ShowLegend();
        return plot;
    }

    /// <summary>The open-loop latency distribution: latency against percentile, the percentile axis in nines (50, 90, 99, 99.9 …).</summary>
    public static ScottPlot.Plot? OpenLoopChart(StudyResults results)
    {
        var servers = results.Servers();
        var palette = new ScottPlot.Palettes.Category10();
        var plot = new ScottPlot.Plot();
        var any = false;
        var percentiles = OpenLoopResult.ReportedPercentiles.Where(p => p < 100).ToList();
        foreach (var (server, s) in servers.Select((name, i) => (name, i)))
        {
            var points = percentiles
                .Select(p => (x: Nines(p), y: results.Observed(server, Scenario.OpenLoop, null, OpenLoopResult.LatencyName(p))))
                .Where(p => p.y is not null).ToList();
            if (points.Count == 0)
            {
                continue;
            }

            any = true;
            var line = plot.Add.Scatter(points.Select(p => p.x).ToArray(), points.Select(p => Math.Log10(Math.Max(p.y!.Value, 0.01))).ToArray(), palette.GetColor(s));
            line.LegendText = server;
            line.LineWidth = 2;
        }

        if (!any)
        {
            return null;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(percentiles.Select(p => new ScottPlot.Tick(Nines(p), p.ToString("0.##", CultureInfo.InvariantCulture) + "%")).ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(LogTicks(-2, 6));
        var rate = results.Observations.FirstOrDefault(o => o.Scenario == Scenario.OpenLoop && o.Name == "offered_rps")?.Value;
        plot.XLabel("percentile");
        plot.YLabel("latency from the scheduled send, ms (log scale)");
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"Open loop at {rate:N0} requests/s on /hello: latency distribution ({results.Mode} run)"));
        plot.Legend.Alignment = ScottPlot.Alignment.UpperLeft;
        plot.ShowLegend();
        return plot;
    }

    /// <summary>Ticks at 1, 2 and 5 times each power of ten from 10^<paramref name="from"/> to 10^<paramref name="to"/>, placed on a log10 axis.</summary>
    public static ScottPlot.Tick[] LogTicks(int from, int to) =>
        Enumerable.Range(from, to - from + 1)
            .SelectMany(e => new[] { 1.0, 2, 5 }.Select(m => m * Math.Pow(10, e)))
            .Select(v => new ScottPlot.Tick(Math.Log10(v), v.ToString("#,0.##", CultureInfo.InvariantCulture)))
            .ToArray();

    /// <summary>A percentile as its count of nines: 90 → 1, 99 → 2, 99.9 → 3.</summary>
    public static double Nines(double percentile) => -Math.Log10(1 - (percentile / 100));
}
