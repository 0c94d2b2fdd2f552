using System.Globalization;

// cluster/run --measure's chart: ActorHttp.ClusterChart FIGURES.tsv OUT.png
// Each line of FIGURES.tsv: label, requests/s, p99 in ms (tab-separated). Draws requests/s as bars,
// each labelled with its p99, so the sharded route's cost beside the local one shows at a glance.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: ActorHttp.ClusterChart FIGURES.tsv OUT.png");
    return 2;
}

var rows = File.ReadAllLines(args[0])
    .Where(line => line.Length > 0)
    .Select(line => line.Split('\t'))
    .Select(cells => (Label: cells[0], Rps: double.Parse(cells[1], CultureInfo.InvariantCulture), P99: double.Parse(cells[2], CultureInfo.InvariantCulture)))
    .ToArray();
if (rows.Length == 0)
{
    Console.Error.WriteLine($"{args[0]} has no figures");
    return 1;
}

var plot = new ScottPlot.Plot();
var palette = new ScottPlot.Palettes.Category10();
var bars = rows.Select((row, i) => new ScottPlot.Bar
{
    Position = i,
    Value = row.Rps,
    FillColor = palette.GetColor(i),
    Label = $"{row.Rps:N0}/s\np99 {row.P99:0.#} ms",
}).ToList();
var barPlot = plot.Add.Bars(bars);
barPlot.ValueLabelStyle.FontSize = 14;
plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
    rows.Select((row, i) => new ScottPlot.Tick(i, row.Label.Replace(", ", "\n", StringComparison.Ordinal))).ToArray());
plot.Axes.Bottom.MajorTickStyle.Length = 0;
plot.Axes.Margins(bottom: 0, top: 0.2);
plot.YLabel("requests/s through nginx");
plot.Title("Sharded vs local actor route, 1 and 3 nodes on one 2-core machine");
plot.SavePng(args[1], 1200, 600);
return 0;
