using System.Diagnostics;
using System.Globalization;

namespace ActorHttp.Study;

/// <summary>
/// One slowhttptest attack (Debian's slowhttptest, installed by bench/install-deps) on a server:
/// started by the study, stopped by its process handle when the fault window ends, even on failure.
/// </summary>
public sealed class SlowHttpTest : IAsyncDisposable
{
    private readonly Process _process;

    private SlowHttpTest(Process process) => _process = process;

    /// <summary>
    /// The arguments for one of the study's attacks on <paramref name="port"/>: <c>-H</c> slowloris
    /// (a head that never ends, a header line every 10 s), <c>-B</c> slow body (a POST to /echo whose
    /// 8 KiB body comes a few bytes every 10 s), <c>-X</c> slow reader (keeps asking for a 1 MiB file
    /// on a 1–64 byte receive window, reading 32 bytes every 5 s).
    /// </summary>
    public static IReadOnlyList<string> Arguments(string scenario, int port, int sockets, int seconds)
    {
        var common = new[]
        {
            "-c", sockets.ToString(CultureInfo.InvariantCulture),
            // Open them all in about a second, in batches the listen backlog takes.
            "-r", Math.Max(50, sockets).ToString(CultureInfo.InvariantCulture),
            "-l", seconds.ToString(CultureInfo.InvariantCulture),
            "-p", "3",
        };
        return scenario switch
        {
            Scenario.Slowloris => ["-H", "-i", "10", .. common, "-u", $"http://127.0.0.1:{port}/hello"],
            Scenario.SlowBody => ["-B", "-i", "10", "-s", "8192", .. common, "-u", $"http://127.0.0.1:{port}/echo"],
            Scenario.SlowReader => ["-X", "-k", "4", "-n", "5", "-w", "1", "-y", "64", "-z", "32", .. common, "-u", $"http://127.0.0.1:{port}/bench/1m.bin"],
            _ => throw new ArgumentException($"{scenario} is not a slowhttptest attack", nameof(scenario)),
        };
    }

    public static SlowHttpTest Start(IEnumerable<string> arguments, string outputFile)
    {
        // Its progress screen goes to a file (it redraws it every second), never to the study's console.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var argument in new[] { "-c", "exec slowhttptest \"$@\" > \"$STUDY_ATTACK_OUTPUT\" 2>&1", "slowhttptest" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["STUDY_ATTACK_OUTPUT"] = outputFile;
        return new SlowHttpTest(Process.Start(start) ?? throw new InvalidOperationException("could not start slowhttptest"));
    }

    public bool HasExited => _process.HasExited;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            // Killed; the kernel reaps it.
        }

        _process.Dispose();
    }
}
