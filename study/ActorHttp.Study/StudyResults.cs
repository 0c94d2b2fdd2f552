using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorHttp.Study;

/// <summary>
/// One figure row of results.json, in the shape exactly: a server on a scenario (and a step
/// of it), or why it was skipped. A figure that was not measured is null. <c>rps</c> counts answers
/// below 400 only; <c>errors</c> counts failed attempts (refused, reset, timed out, never sent),
/// <c>non2xx</c> answers of 400 or more; both are summed over every round.
/// </summary>
public sealed record StudyRow
{
    [JsonPropertyName("server")]
    public required string Server { get; init; }

    [JsonPropertyName("scenario")]
    public required string Scenario { get; init; }

    [JsonPropertyName("step")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Step { get; init; }

    [JsonPropertyName("rps")]
    public double? Rps { get; init; }

    [JsonPropertyName("p50_ms")]
    public double? P50Ms { get; init; }

    [JsonPropertyName("p99_ms")]
    public double? P99Ms { get; init; }

    [JsonPropertyName("p999_ms")]
    public double? P999Ms { get; init; }

    [JsonPropertyName("cpu_us_per_request")]
    public double? CpuUsPerRequest { get; init; }

    [JsonPropertyName("threads")]
    public int? Threads { get; init; }

    [JsonPropertyName("rss_mb")]
    public double? RssMb { get; init; }

    [JsonPropertyName("errors")]
    public long? Errors { get; init; }

    [JsonPropertyName("non2xx")]
    public long? Non2xx { get; init; }

    [JsonPropertyName("skipped")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Skipped { get; init; }

    public static StudyRow Skip(string server, string scenario, string why, string? step = null) =>
        new() { Server = server, Scenario = scenario, Step = step, Skipped = why };

    /// <summary>NaN (not measured) as null, rounded so the file stays readable.</summary>
    public static double? Figure(double value, int decimals = 3) =>
        double.IsNaN(value) || double.IsInfinity(value) ? null : Math.Round(value, decimals);
}

/// <summary>
/// A figure the row shape has no column for (context switches per request, attack sockets held,
/// the counter's final count, the open-loop percentiles, the overload's shed rate, …), for the same
/// server, scenario and step. results.md and the document read them from here.
/// </summary>
public sealed record Observation(
    [property: JsonPropertyName("server")] string Server,
    [property: JsonPropertyName("scenario")] string Scenario,
    [property: JsonPropertyName("step")] string? Step,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] double? Value);

/// <summary>What one server did in one scenario in one round: its rows and their observations.</summary>
public sealed record Sample(IReadOnlyList<StudyRow> Rows, IReadOnlyList<Observation> Observations)
{
    public static Sample Skipped(string server, string scenario, string why) => new([StudyRow.Skip(server, scenario, why)], []);
}

/// <summary>Everything a study run measured, as written to results.json.</summary>
public sealed record StudyResults
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    [JsonPropertyName("mode")]
    public required string Mode { get; init; }

    [JsonPropertyName("machine")]
    public required IReadOnlyDictionary<string, string> Machine { get; init; }

    [JsonPropertyName("knobs")]
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Knobs { get; init; }

    [JsonPropertyName("rows")]
    public required IReadOnlyList<StudyRow> Rows { get; init; }

    [JsonPropertyName("observations")]
    public IReadOnlyList<Observation> Observations { get; init; } = [];

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static StudyResults FromJson(string json) =>
        JsonSerializer.Deserialize<StudyResults>(json, JsonOptions) ?? throw new FormatException("results.json is empty");

    /// <summary>
    /// The rounds of one scenario become one set of rows: per server and step the round with the
    /// median requests/s (the bench's <see cref="Bench.Rounds.Median"/>) with its observations, errors
    /// and non-2xx summed over every round so none is hidden.
    /// </summary>
    public static Sample CombineRounds(IReadOnlyList<Sample> rounds)
    {
        if (rounds.Count == 1)
        {
            return rounds[0];
        }

        var rows = new List<StudyRow>();
        var observations = new List<Observation>();
        var keys = rounds.SelectMany(r => r.Rows).Select(r => (r.Server, r.Scenario, r.Step)).Distinct().ToList();
        foreach (var key in keys)
        {
            var candidates = rounds
                .Select(round => (round, row: round.Rows.FirstOrDefault(r => (r.Server, r.Scenario, r.Step) == key)))
                .Where(c => c.row is not null)
                .ToList();
            var measured = candidates.Where(c => c.row!.Skipped is null).ToList();
            if (measured.Count == 0)
            {
                rows.Add(candidates[0].row!);
                continue;
            }

            var median = Bench.Rounds.Median(measured, c => c.row!.Rps ?? double.NaN);
            rows.Add(median.row! with
            {
                Errors = Sum(measured.Select(c => c.row!.Errors)),
                Non2xx = Sum(measured.Select(c => c.row!.Non2xx)),
            });
            observations.AddRange(median.round.Observations.Where(o => (o.Server, o.Scenario, o.Step) == key));
        }

        return new Sample(rows, observations);
    }

    /// <summary>A row's figure over the <c>actors</c> row's on the same scenario and step in this run; null when either is missing or zero.</summary>
    public double? Ratio(StudyRow row, Func<StudyRow, double?> figure)
    {
        var baseline = Rows.FirstOrDefault(r => r.Server == StudyServer.Baseline && r.Scenario == row.Scenario && r.Step == row.Step && r.Skipped is null);
        return baseline is not null && figure(baseline) is { } denominator && denominator > 0 && figure(row) is { } numerator
            ? numerator / denominator
            : null;
    }

    public double? Observed(string server, string scenario, string? step, string name) =>
        Observations.FirstOrDefault(o => o.Server == server && o.Scenario == scenario && o.Step == step && o.Name == name)?.Value;

    public StudyRow? Row(string server, string scenario, string? step = null) =>
        Rows.FirstOrDefault(r => r.Server == server && r.Scenario == scenario && r.Step == step);

    /// <summary>The servers in the order of the study (models, then peers), as far as they appear.</summary>
    public IReadOnlyList<string> Servers() =>
        Rows.Select(r => r.Server).Distinct().OrderBy(s => StudyServer.Names.ToList() is var names && names.IndexOf(s) is >= 0 and var i ? i : int.MaxValue).ToList();

    private static long? Sum(IEnumerable<long?> values)
    {
        var present = values.Where(v => v is not null).ToList();
        return present.Count == 0 ? null : present.Sum();
    }
}
