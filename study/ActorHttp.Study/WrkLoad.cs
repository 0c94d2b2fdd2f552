using System.Globalization;
using System.Text.RegularExpressions;
using ActorHttp.Bench;

namespace ActorHttp.Study;

/// <summary>What wrk measured, read with the bench's parser plus the study script's percentile line.</summary>
public sealed record WrkFigures(WrkResult Result, double P50Ms, double P99Ms, double P999Ms, double MaxMs, double Seconds)
{
    /// <summary>Answers below 400 per second: wrk's requests/s counts every answer, a 503 too.</summary>
    public double SuccessfulPerSecond => Result.Requests == 0 ? 0 : Result.RequestsPerSecond * (Result.Requests - Result.Non2xx) / Result.Requests;
}

/// <summary>Runs wrk with study/wrk/study.lua through the bench's <see cref="WrkProcess"/>.</summary>
public static partial class WrkLoad
{
    public static IReadOnlyList<string> Arguments(string repository, int port, string path, int connections, int seconds, int? pipelineDepth) =>
    [
        "-t2", $"-c{connections}", $"-d{seconds}s", "--latency", "--timeout", "5s",
        "-s", Path.Combine(repository, "study/wrk/study.lua"),
        $"http://127.0.0.1:{port}{path}",
    ];

    public static async Task<WrkFigures> RunAsync(string repository, int port, string path, int connections, int seconds, int? pipelineDepth, CancellationToken cancellationToken)
    {
        // The pipelining depth reaches the script through the environment (study.lua reads it at load,
        // before wrk decides whether the request is static); wrk inherits ours.
        Environment.SetEnvironmentVariable("STUDY_PIPELINE", pipelineDepth is > 1 ? pipelineDepth.Value.ToString(CultureInfo.InvariantCulture) : null);
        try
        {
            var output = await WrkProcess.RunAsync(Arguments(repository, port, path, connections, seconds, pipelineDepth), cancellationToken);
            return Parse(output, seconds);
        }
        finally
        {
            Environment.SetEnvironmentVariable("STUDY_PIPELINE", null);
        }
    }

    /// <summary>wrk's output with the script's line <c>STUDY latency_us p50 p99 p99.9 max</c>.</summary>
    public static WrkFigures Parse(string output, double seconds)
    {
        var result = WrkOutputParser.Parse(output);
        var line = StudyLine().Match(output);
        if (!line.Success)
        {
            throw new FormatException("wrk output has no \"STUDY latency_us\" line (is study/wrk/study.lua the script?)");
        }

        // wrk answers 0 for a percentile its histogram cannot reach (few samples, as with pipelining,
        // where it records one latency per batch): no request takes 0 µs, so 0 is "not measured".
        double Ms(int group) => double.Parse(line.Groups[group].Value, CultureInfo.InvariantCulture) is > 0 and var us ? us / 1000 : double.NaN;
        return new WrkFigures(result, Ms(1), Ms(2), Ms(3), Ms(4), seconds);
    }

    /// <summary>One row from a wrk run and the server's usage meanwhile.</summary>
    public static Sample ToSample(string server, string scenario, string? step, WrkFigures wrk, ServerUsage usage)
    {
        var requests = (double)wrk.Result.Requests;
        var row = new StudyRow
        {
            Server = server,
            Scenario = scenario,
            Step = step,
            Rps = StudyRow.Figure(wrk.SuccessfulPerSecond, 1),
            P50Ms = StudyRow.Figure(wrk.P50Ms),
            P99Ms = StudyRow.Figure(wrk.P99Ms),
            P999Ms = StudyRow.Figure(wrk.P999Ms),
            CpuUsPerRequest = StudyRow.Figure(usage.CpuMicrosecondsPer(requests), 2),
            Threads = usage.PeakThreads,
            RssMb = StudyRow.Figure(usage.PeakResidentBytes / 1048576.0, 1),
            Errors = wrk.Result.SocketErrors,
            Non2xx = wrk.Result.Non2xx,
        };
        return new Sample([row],
        [
            new(server, scenario, step, "context_switches_per_request", StudyRow.Figure(usage.ContextSwitchesPer(requests), 3)),
            new(server, scenario, step, "max_ms", StudyRow.Figure(wrk.MaxMs)),
            new(server, scenario, step, "requests", requests),
        ]);
    }

    [GeneratedRegex(@"^STUDY latency_us (\d+) (\d+) (\d+) (\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex StudyLine();
}
