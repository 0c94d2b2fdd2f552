using System.Globalization;
using System.Text.RegularExpressions;

namespace ActorHttp.Bench;

/// <summary>What one wrk run measured. Errors are kept apart so a report can never hide them.</summary>
public sealed record WrkResult(
    double RequestsPerSecond,
    long Requests,
    double P50Ms,
    double P99Ms,
    long ConnectErrors,
    long ReadErrors,
    long WriteErrors,
    long Timeouts,
    long Non2xx)
{
    public long SocketErrors => ConnectErrors + ReadErrors + WriteErrors + Timeouts;

    /// <summary>
    /// The server's CPU time (user + system, all its processes) during the run over the requests it
    /// served; NaN when not measured. Far steadier than requests/s when the shared machine slows down,
    /// it says how much work each server does per request.
    /// </summary>
    public double ServerCpuMicrosecondsPerRequest { get; init; } = double.NaN;
}

/// <summary>Reads wrk 4.1's text output (run with <c>--latency</c>).</summary>
public static partial class WrkOutputParser
{
    public static WrkResult Parse(string output)
    {
        var rps = Number(RequestsPerSecond().Match(output), "Requests/sec");
        var requests = (long)Number(RequestsTotal().Match(output), "requests in");
        var errors = SocketErrors().Match(output);
        var non2xx = Non2xx().Match(output);
        return new WrkResult(
            rps,
            requests,
            Latency(output, "50%"),
            Latency(output, "99%"),
            errors.Success ? long.Parse(errors.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            errors.Success ? long.Parse(errors.Groups[2].Value, CultureInfo.InvariantCulture) : 0,
            errors.Success ? long.Parse(errors.Groups[3].Value, CultureInfo.InvariantCulture) : 0,
            errors.Success ? long.Parse(errors.Groups[4].Value, CultureInfo.InvariantCulture) : 0,
            non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
    }

    /// <summary>A latency percentile line such as <c>99%    1.84ms</c>, in milliseconds; NaN when absent (wrk prints none with a Lua script).</summary>
    private static double Latency(string output, string percentile)
    {
        var match = Regex.Match(output, $@"^\s*{Regex.Escape(percentile)}\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        if (!match.Success)
        {
            return double.NaN;
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "us" => value / 1000,
            "ms" => value,
            _ => value * 1000,
        };
    }

    private static double Number(Match match, string what) =>
        match.Success
            ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new FormatException($"wrk output has no \"{what}\" line");

    [GeneratedRegex(@"^Requests/sec:\s+([\d.]+)", RegexOptions.Multiline)]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"^\s*(\d+) requests in", RegexOptions.Multiline)]
    private static partial Regex RequestsTotal();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xx();
}
