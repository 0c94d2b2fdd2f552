using System.Diagnostics;
using System.Net.Http;

namespace ActorHttp.Bench;

/// <summary>
/// How long each phase runs: full for the report, quick for a smoke check. Every workload is run
/// <see cref="Rounds"/> times against every server, the servers taking turns, so a slow spell of the
/// machine falls on all of them alike instead of on whichever server was being measured.
/// </summary>
public sealed record BenchOptions(string Mode, TimeSpan Warmup, TimeSpan Duration, int IdleConnections, int Rounds)
{
    public static BenchOptions Full { get; } = new("full", TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10), 10_000, 5);

    public static BenchOptions Quick { get; } = new("quick", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), 2_000, 1);
}

/// <summary>Runs every workload against every server, one server at a time so they never compete.</summary>
/// <param name="peers">The servers compared, in the order they take their turns; <see cref="Peer.All"/> unless a baseline build joins them.</param>
/// <param name="workloads">The workloads run, in order; <see cref="Workload.All"/> when null.</param>
public sealed class BenchRunner(BenchPaths paths, BenchOptions options, TextWriter console, IReadOnlyList<Peer> peers, IReadOnlyList<Workload>? workloads = null)
{
    /// <summary>The first server's port; the others follow it.</summary>
    private const int FirstPort = 18080;

    /// <summary>Runs the bench; on cancellation every server and wrk it started is stopped before the exception leaves.</summary>
    public async Task<BenchReport> RunAsync(CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        paths.WriteStaticFiles();
        var idle = new List<IdleMeasurement>();
        foreach (var peer in peers.Where(p => p.IdleMemory))
        {
            var (file, arguments) = peer.Command(paths, FirstPort);
            console.WriteLine($"== {peer.Name}: {file} {string.Join(' ', arguments)}");
            // Memory is measured on a fresh, briefly warmed server: after the load runs, the GC's
            // headroom from them would hide what the idle connections cost.
            using var fresh = await ServerProcess.StartAsync(peer.Name, file, arguments, FirstPort, paths.ServerOutput(FirstPort), cancellationToken);
            await RunWrkAsync(fresh, Workload.All[0], TimeSpan.FromSeconds(1), cancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            var memory = await IdleConnections.MeasureAsync(fresh, options.IdleConnections, TimeSpan.FromSeconds(3));
            console.WriteLine($"   idle: {memory.Connections} connections, {memory.BytesPerConnection / 1024:N1} KiB each");
            idle.Add(new IdleMeasurement(peer.Name, memory));
        }

        // Every server stays up, each on its own port, while they take turns under load; an idle
        // server costs the measured one next to nothing.
        var servers = new List<ServerProcess>();
        try
        {
            for (var i = 0; i < peers.Count; i++)
            {
                var port = FirstPort + i;
                var (file, arguments) = peers[i].Command(paths, port);
                console.WriteLine($"== {peers[i].Name}: {file} {string.Join(' ', arguments)}");
                servers.Add(await ServerProcess.StartAsync(peers[i].Name, file, arguments, port, paths.ServerOutput(port), cancellationToken));
            }

            var measurements = new List<Measurement>();
            foreach (var workload in workloads ?? Workload.All)
            {
                measurements.AddRange(await MeasureAsync(servers, workload, cancellationToken));
            }

            var setup = $"wrk 4.1 (2 threads) and every server share the machine's {Environment.ProcessorCount} cores, so each figure is CPU-bound on both sides; " +
                $"each workload: {options.Warmup.TotalSeconds:0} s warm-up, then {options.Duration.TotalSeconds:0} s measured, {options.Rounds} round(s) with the servers taking turns " +
                "(the round with the median requests/s is shown, errors are summed over every round); one server under load at a time, on 127.0.0.1.";
            return new BenchReport(started, options.Mode, setup, measurements, idle);
        }
        finally
        {
            foreach (var server in servers)
            {
                server.Dispose();
            }
        }
    }

    private async Task<IReadOnlyList<Measurement>> MeasureAsync(IReadOnlyList<ServerProcess> servers, Workload workload, CancellationToken cancellationToken)
    {
        var rounds = servers.ToDictionary(server => server, _ => new List<WrkResult>());
        var skipped = new Dictionary<ServerProcess, string>();
        foreach (var server in servers)
        {
            if (await ProbeAsync(server, workload, cancellationToken) is { } reason)
            {
                console.WriteLine($"   {server.Name} {workload.Name}: skipped: {reason}");
                skipped[server] = reason;
            }
        }

        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var server in servers.Where(s => !skipped.ContainsKey(s)))
            {
                await RunWrkAsync(server, workload, options.Warmup, cancellationToken);
                var cpuBefore = server.CpuTime();
                var output = await RunWrkAsync(server, workload, options.Duration, cancellationToken);
                var cpu = server.CpuTime() - cpuBefore;
                var result = WrkOutputParser.Parse(output) is var parsed && parsed.Requests > 0
                    ? parsed with { ServerCpuMicrosecondsPerRequest = cpu.TotalMicroseconds / parsed.Requests }
                    : parsed;
                console.WriteLine($"   {server.Name} {workload.Name} round {round}: {result.RequestsPerSecond:N0} req/s, p99 {result.P99Ms:0.00} ms, CPU {result.ServerCpuMicrosecondsPerRequest:0.00} µs/request, socket errors {result.SocketErrors}, non-2xx {result.Non2xx}");
                rounds[server].Add(result);
            }
        }

        return servers.Select(server => skipped.TryGetValue(server, out var reason)
                ? new Measurement(server.Name, workload.Name, null, reason, server.ResidentBytes())
                : Measurement.FromRounds(server.Name, workload.Name, rounds[server], server.ResidentBytes()))
            .ToList();
    }

    /// <summary>A workload runs only where the server answers its path with 200; otherwise the report says what it answered.</summary>
    private static async Task<string?> ProbeAsync(ServerProcess server, Workload workload, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync($"http://127.0.0.1:{server.Port}{workload.Path}", cancellationToken);
        return response.IsSuccessStatusCode ? null : $"{server.Name} answers {(int)response.StatusCode} on {workload.Path}";
    }

    private async Task<string> RunWrkAsync(ServerProcess server, Workload workload, TimeSpan duration, CancellationToken cancellationToken)
    {
        // A server that logs every request (the default configuration) would otherwise fill the
        // disk over a full run; what one run writes is bounded.
        server.TruncateOutput();
        var arguments = new List<string> { "-t2", $"-c{workload.Connections}", $"-d{duration.TotalSeconds:0}s", "--latency", "--timeout", "5s" };
        if (workload.Pipelined)
        {
            arguments.Add("-s");
            arguments.Add(Path.Combine(paths.Repository, "bench/wrk/pipeline.lua"));
        }

        arguments.Add($"http://127.0.0.1:{server.Port}{workload.Path}");
        return await WrkProcess.RunAsync(arguments, cancellationToken);
    }
}

/// <summary>Runs wrk to its end and returns what it printed; stopped by its handle if cancelled.</summary>
public static class WrkProcess
{
    /// <exception cref="InvalidOperationException">wrk failed (its standard error is in the message).</exception>
    public static async Task<string> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("could not start wrk");
        string output, errors;
        try
        {
            var reading = wrk.StandardError.ReadToEndAsync(cancellationToken);
            output = await wrk.StandardOutput.ReadToEndAsync(cancellationToken);
            errors = await reading;
            await wrk.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            wrk.Kill();
            throw;
        }

        if (wrk.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed ({wrk.ExitCode}): {errors}");
        }

        return output;
    }
}
