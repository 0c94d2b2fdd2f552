using System.Diagnostics;
using System.Net.Http;

namespace ActorHttp.Bench;

/// <summary>How long each phase runs: full for the report, quick for a smoke check.</summary>
public sealed record BenchOptions(string Mode, TimeSpan Warmup, TimeSpan Duration, int IdleConnections)
{
    public static BenchOptions Full { get; } = new("full", TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10), 10_000);

    public static BenchOptions Quick { get; } = new("quick", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), 2_000);
}

/// <summary>Runs every workload against every server, one server at a time so they never compete.</summary>
public sealed class BenchRunner(BenchPaths paths, BenchOptions options, TextWriter console)
{
    private const int Port = 18080;

    public async Task<BenchReport> RunAsync()
    {
        var started = DateTime.UtcNow;
        WriteStaticFiles();
        var measurements = new List<Measurement>();
        var idle = new List<IdleMeasurement>();
        foreach (var peer in Peer.All)
        {
            var (file, arguments) = peer.Command(paths, Port);
            console.WriteLine($"== {peer.Name}: {file} {string.Join(' ', arguments)}");
            using (var fresh = await ServerProcess.StartAsync(peer.Name, file, arguments, Port))
            {
                // Memory is measured on a fresh, briefly warmed server: after the load runs, the GC's
                // headroom from them would hide what the idle connections cost.
                await RunWrkAsync(fresh, Workload.All[0], TimeSpan.FromSeconds(1));
                await Task.Delay(TimeSpan.FromSeconds(2));
                var memory = await IdleConnections.MeasureAsync(fresh, options.IdleConnections, TimeSpan.FromSeconds(3));
                console.WriteLine($"   idle: {memory.Connections} connections, {memory.BytesPerConnection / 1024:N1} KiB each");
                idle.Add(new IdleMeasurement(peer.Name, memory));
            }

            using var server = await ServerProcess.StartAsync(peer.Name, file, arguments, Port);
            foreach (var workload in Workload.All)
            {
                measurements.Add(await MeasureAsync(server, workload));
            }
        }

        var setup = $"wrk 4.1 (2 threads) and every server share the machine's {Environment.ProcessorCount} cores, so each figure is CPU-bound on both sides; " +
            $"each workload: {options.Warmup.TotalSeconds:0} s warm-up, then {options.Duration.TotalSeconds:0} s measured; servers run one at a time on 127.0.0.1.";
        return new BenchReport(started, options.Mode, setup, measurements, idle);
    }

    private async Task<Measurement> MeasureAsync(ServerProcess server, Workload workload)
    {
        var skipped = await ProbeAsync(server, workload);
        if (skipped is not null)
        {
            console.WriteLine($"   {workload.Name}: skipped: {skipped}");
            return new Measurement(server.Name, workload.Name, null, skipped, server.ResidentBytes());
        }

        await RunWrkAsync(server, workload, options.Warmup);
        var result = WrkOutputParser.Parse(await RunWrkAsync(server, workload, options.Duration));
        console.WriteLine($"   {workload.Name}: {result.RequestsPerSecond:N0} req/s, p99 {result.P99Ms:0.00} ms, socket errors {result.SocketErrors}, non-2xx {result.Non2xx}");
        return new Measurement(server.Name, workload.Name, result, null, server.ResidentBytes());
    }

    /// <summary>A workload runs only where the server answers its path with 200; otherwise the report says what it answered.</summary>
    private static async Task<string?> ProbeAsync(ServerProcess server, Workload workload)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync($"http://127.0.0.1:{server.Port}{workload.Path}");
        return response.IsSuccessStatusCode ? null : $"{server.Name} answers {(int)response.StatusCode} on {workload.Path}";
    }

    private async Task<string> RunWrkAsync(ServerProcess server, Workload workload, TimeSpan duration)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-t2", $"-c{workload.Connections}", $"-d{duration.TotalSeconds:0}s", "--latency", "--timeout", "5s" })
        {
            start.ArgumentList.Add(argument);
        }

        if (workload.Pipelined)
        {
            start.ArgumentList.Add("-s");
            start.ArgumentList.Add(Path.Combine(paths.Repository, "bench/wrk/pipeline.lua"));
        }

        start.ArgumentList.Add($"http://127.0.0.1:{server.Port}{workload.Path}");
        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("could not start wrk");
        var output = await wrk.StandardOutput.ReadToEndAsync();
        var errors = await wrk.StandardError.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        if (wrk.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed ({wrk.ExitCode}): {errors}");
        }

        return output;
    }

    private void WriteStaticFiles()
    {
        var folder = Path.Combine(paths.StaticRoot, "bench");
        Directory.CreateDirectory(folder);
        var random = new Random(42);
        foreach (var (name, size) in new[] { ("1k.bin", 1024), ("1m.bin", 1024 * 1024) })
        {
            var bytes = new byte[size];
            random.NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(folder, name), bytes);
        }

        File.WriteAllText(Path.Combine(paths.StaticRoot, "index.html"), "<!doctype html><title>bench</title>");
    }
}
