using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ActorHttp.Bench;

namespace ActorHttp.Study;

/// <summary>
/// Runs the selected scenarios against the selected servers, the servers taking turns in each
/// scenario and each round, one server under load at a time. Every process it starts (servers with
/// the bench's <see cref="ServerProcess"/>, wrk, slowhttptest) is stopped by its handle before
/// <see cref="RunAsync"/> returns or throws.
/// </summary>
public sealed partial class StudyRunner(BenchPaths paths, StudyOptions options, IReadOnlyList<StudyServer> servers, IReadOnlyList<string> scenarios, TextWriter console)
{
    /// <summary>The long-lived servers' first port (the bench uses 18080–18084); fresh servers use <see cref="FreshPort"/> and up.</summary>
    public const int FirstPort = 18180;

    public const int FreshPort = 18190;

    private readonly Dictionary<StudyServer, ServerProcess> _running = [];
    private readonly Dictionary<StudyServer, string> _unavailable = [];
    private readonly List<Observation> _restarts = [];

    public async Task<(IReadOnlyList<StudyRow> Rows, IReadOnlyList<Observation> Observations)> RunAsync(CancellationToken cancellationToken)
    {
        paths.WriteStaticFiles();
        var models = await SupportsModelsAsync(cancellationToken);
        foreach (var server in servers.Where(s => s.Model is not null && s.Model != StudyServer.Baseline && !models))
        {
            _unavailable[server] = "this build of ActorHttp.Server has no --model (issue 12's model hosts are not merged yet)";
        }

        var samples = new Dictionary<(string Server, string Scenario), List<Sample>>();
        var clock = Stopwatch.StartNew();
        try
        {
            // Started side by side (each .NET server spends a second or two starting up), then they
            // wait idle for their turns. Every start ends in a process or a reason, so none started is
            // lost to a sibling's failure or to cancellation: each is in _running and stopped below.
            var starts = await Task.WhenAll(servers.Where(s => !_unavailable.ContainsKey(s)).Select(async server =>
            {
                try
                {
                    return (server, process: await StartAsync(server, SharedPort(server), cancellationToken), why: (string?)null);
                }
                catch (Exception error) when (error is InvalidOperationException or TimeoutException or OperationCanceledException)
                {
                    return (server, process: (ServerProcess?)null, why: $"did not start: {error.Message.Split('\n')[0]}");
                }
            }));
            foreach (var (server, process, why) in starts)
            {
                if (process is not null)
                {
                    _running[server] = process;
                }
                else
                {
                    _unavailable[server] = why!;
                    console.WriteLine($"   {server.Name}: {why}");
                }
            }

            cancellationToken.ThrowIfCancellationRequested();

            for (var round = 1; round <= options.Rounds; round++)
            {
                foreach (var scenario in scenarios.Where(s => round == 1 || Scenario.HasRounds(s)))
                {
                    console.WriteLine($"== {scenario}{(Scenario.HasRounds(scenario) && options.Rounds > 1 ? $" (round {round} of {options.Rounds})" : "")} [{clock.Elapsed.TotalSeconds:0} s]");
                    foreach (var server in servers)
                    {
                        var sample = await MeasureOrSkipAsync(server, scenario, cancellationToken);
                        foreach (var row in sample.Rows)
                        {
                            console.WriteLine($"   {Describe(row)}");
                        }

                        if (!samples.TryGetValue((server.Name, scenario), out var list))
                        {
                            samples[(server.Name, scenario)] = list = [];
                        }

                        list.Add(sample);
                    }
                }
            }
        }
        finally
        {
            foreach (var server in _running.Values)
            {
                server.Dispose();
            }

            _running.Clear();
        }

        var rows = new List<StudyRow>();
        var observations = new List<Observation>(_restarts);
        foreach (var scenario in scenarios)
        {
            foreach (var server in servers)
            {
                var combined = StudyResults.CombineRounds(samples[(server.Name, scenario)]);
                rows.AddRange(combined.Rows);
                observations.AddRange(combined.Observations);
            }
        }

        return (rows, observations);
    }

    /// <summary>One line of the console's progress for a row.</summary>
    public static string Describe(StudyRow row)
    {
        var name = $"{row.Server} {row.Scenario}{(row.Step is null ? "" : " " + row.Step)}";
        if (row.Skipped is { } why)
        {
            return $"{name}: skipped: {why}";
        }

        var parts = new List<string>();
        void Add(double? value, string format)
        {
            if (value is { } v)
            {
                parts.Add(string.Format(CultureInfo.InvariantCulture, format, v));
            }
        }

        Add(row.Rps, "{0:N0} req/s");
        Add(row.P50Ms, "p50 {0:0.##} ms");
        Add(row.P99Ms, "p99 {0:0.##} ms");
        Add(row.P999Ms, "p99.9 {0:0.##} ms");
        Add(row.CpuUsPerRequest, "{0:0.#} µs CPU/req");
        Add(row.Threads, "{0} threads");
        Add(row.RssMb, "{0:0} MiB");
        Add(row.Errors, "errors {0}");
        Add(row.Non2xx, "non-2xx {0}");
        return $"{name}: {string.Join(", ", parts)}";
    }

    private async Task<Sample> MeasureOrSkipAsync(StudyServer server, string scenario, CancellationToken cancellationToken)
    {
        if (_unavailable.TryGetValue(server, out var unavailable))
        {
            return Sample.Skipped(server.Name, scenario, unavailable);
        }

        if (server.WhyNot(scenario, options) is { } reason)
        {
            return Sample.Skipped(server.Name, scenario, reason);
        }

        var fresh = options.FreshServers && !Scenario.HasRounds(scenario);
        ServerProcess? process = null;
        try
        {
            process = fresh ? await StartAsync(server, FreshPort + servers.ToList().IndexOf(server), cancellationToken) : await SharedAsync(server, cancellationToken);
            return await MeasureAsync(server, process, scenario, cancellationToken);
        }
        catch (Exception error) when (error is InvalidOperationException or TimeoutException or IOException or System.Net.Sockets.SocketException or HttpRequestException or FormatException)
        {
            // One server failing must not cost the others their figures; the report says what happened.
            var exited = process is { HasExited: true } ? " (the server had exited)" : "";
            return Sample.Skipped(server.Name, scenario, $"the run failed{exited}: {error.Message.Split('\n')[0]}");
        }
        finally
        {
            if (fresh)
            {
                process?.Dispose();
            }
        }
    }

    private Task<Sample> MeasureAsync(StudyServer server, ServerProcess process, string scenario, CancellationToken cancellationToken) => scenario switch
    {
        Scenario.Plaintext => ThroughputAsync(server, process, scenario, "/hello", options.Connections, null, null, cancellationToken),
        Scenario.Json => ThroughputAsync(server, process, scenario, "/json", options.Connections, null, null, cancellationToken),
        Scenario.Pipelined => ThroughputAsync(server, process, scenario, "/hello", options.Connections, options.PipelineDepth, null, cancellationToken),
        Scenario.Connections => ConnectionStepsAsync(server, process, cancellationToken),
        Scenario.IdleMemory => IdleMemoryAsync(server, process, cancellationToken),
        Scenario.OpenLoop => OpenLoopAsync(server, process, cancellationToken),
        Scenario.Counter => CounterAsync(server, process, cancellationToken),
        _ when Scenario.Faults.Contains(scenario) => FaultAsync(server, process, scenario, cancellationToken),
        _ => throw new ArgumentException($"unknown scenario {scenario}"),
    };

    private async Task<Sample> ThroughputAsync(StudyServer server, ServerProcess process, string scenario, string path, int connections, int? depth, string? step, CancellationToken cancellationToken)
    {
        process.TruncateOutput();
        if (options.WarmupSeconds > 0)
        {
            await WrkLoad.RunAsync(paths.Repository, process.Port, path, connections, options.WarmupSeconds, depth, cancellationToken);
        }

        await using var sampler = ServerSampler.Start(process);
        var wrk = await WrkLoad.RunAsync(paths.Repository, process.Port, path, connections, options.DurationSeconds, depth, cancellationToken);
        return WrkLoad.ToSample(server.Name, scenario, step, wrk, await sampler.StopAsync());
    }

    private async Task<Sample> ConnectionStepsAsync(StudyServer server, ServerProcess process, CancellationToken cancellationToken)
    {
        var rows = new List<StudyRow>();
        var observations = new List<Observation>();
        foreach (var step in options.ConnectionSteps)
        {
            var sample = await ThroughputAsync(server, process, Scenario.Connections, "/hello", step, null, step.ToString(CultureInfo.InvariantCulture), cancellationToken);
            rows.AddRange(sample.Rows);
            observations.AddRange(sample.Observations);
        }

        return new Sample(rows, observations);
    }

    private async Task<Sample> IdleMemoryAsync(StudyServer server, ServerProcess process, CancellationToken cancellationToken)
    {
        // A fresh server is warmed briefly first (like the bench's), so the JIT's and the GC's first
        // growth are not charged to the connections.
        if (options.FreshServers)
        {
            await WrkLoad.RunAsync(paths.Repository, process.Port, "/hello", options.Connections, 1, null, cancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        }

        var rows = new List<StudyRow>();
        var observations = new List<Observation>();
        foreach (var count in options.IdleCounts)
        {
            var step = count.ToString(CultureInfo.InvariantCulture);
            var settle = options.FreshServers ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(0.5);
            var memory = await IdleConnections.HoldAsync(process, count, settle, TimeSpan.FromSeconds(3), () => ProcStats.Read(process).Threads);
            rows.Add(new StudyRow
            {
                Server = server.Name,
                Scenario = Scenario.IdleMemory,
                Step = step,
                Threads = memory.ThreadsAfter,
                RssMb = StudyRow.Figure(memory.ResidentAfter / 1048576.0, 1),
                Errors = memory.Failed,
                Non2xx = 0,
            });
            observations.Add(new(server.Name, Scenario.IdleMemory, step, "connections_held", memory.Connections));
            observations.Add(new(server.Name, Scenario.IdleMemory, step, "rss_before_mb", StudyRow.Figure(memory.ResidentBefore / 1048576.0, 1)));
            observations.Add(new(server.Name, Scenario.IdleMemory, step, "kib_per_connection", StudyRow.Figure(memory.BytesPerConnection / 1024, 2)));
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   {server.Name} idle {count}: held {memory.Connections}, failed {memory.Failed}, {memory.BytesPerConnection / 1024:0.0} KiB each, {memory.ThreadsAfter} threads"));
            // The server closes the connections the test dropped before the next count is opened.
            await Task.Delay(options.FreshServers ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(0.3), cancellationToken);
        }

        return new Sample(rows, observations);
    }

    private async Task<Sample> OpenLoopAsync(StudyServer server, ServerProcess process, CancellationToken cancellationToken)
    {
        var schedule = new OpenLoopSchedule(options.OpenLoopRate, options.OpenLoopDuration);
        await using var sampler = ServerSampler.Start(process);
        var result = await OpenLoopGenerator.RunAsync(process.Port, "/hello", schedule, options.OpenLoopMaxConnections, options.OpenLoopGrace, TimeSpan.FromSeconds(5), cancellationToken);
        return result.ToSample(server.Name, Scenario.OpenLoop, null, await sampler.StopAsync());
    }

    private async Task<Sample> CounterAsync(StudyServer server, ServerProcess process, CancellationToken cancellationToken)
    {
        var before = await ReadCountAsync(process.Port, cancellationToken);
        await using var sampler = ServerSampler.Start(process);
        var result = (await LoopingClients.RunMixAsync(process.Port, ["/counter"], options.Connections, options.CounterWindow, cancellation: cancellationToken))["/counter"];
        var usage = await sampler.StopAsync();
        var after = await ReadCountAsync(process.Port, cancellationToken);
        // Each answered /counter counted one; the two reads count one each (the first before its answer).
        var counted = after - before - 1;
        var row = LoopRow(server.Name, Scenario.Counter, null, result, usage, result.Successes + result.ErrorStatuses);
        return new Sample([row],
        [
            new(server.Name, Scenario.Counter, null, "answered", result.Successes),
            new(server.Name, Scenario.Counter, null, "counted", counted),
            // Positive: answered requests the count lost (a lost update); negative: counted requests whose answers were lost.
            new(server.Name, Scenario.Counter, null, "lost_updates", result.Successes - counted),
            new(server.Name, Scenario.Counter, null, "unanswered", result.Timeouts + result.Closed),
            new(server.Name, Scenario.Counter, null, "context_switches_per_request", StudyRow.Figure(usage.ContextSwitchesPer(result.Successes + result.ErrorStatuses), 3)),
        ]);
    }

    /// <summary>
    /// A fault: the normal clients' baseline (with the fault's clients made harmless, or without them),
    /// then the same normal clients while the fault runs.
    /// </summary>
    private async Task<Sample> FaultAsync(StudyServer server, ServerProcess process, string scenario, CancellationToken cancellationToken)
    {
        var name = server.Name;
        var load = FaultLoad.For(scenario, options);
        var rows = new List<StudyRow>();
        var observations = new List<Observation>();
        if (options.FreshServers)
        {
            await LoopingClients.RunAsync(process.Port, "/hello", options.NormalConnections, TimeSpan.FromSeconds(1));
        }

        // Baseline.
        var (baseline, baselineUsage, baselineFault) = await NormalClientsAsync(process, options.FaultBaseline, load?.BaselineMix, load, cancellationToken);
        rows.Add(LoopRow(name, scenario, "baseline", baseline, baselineUsage, baseline.Successes + baseline.ErrorStatuses + Answered(baselineFault), observations));
        observations.Add(new(name, scenario, "baseline", "success_rate", StudyRow.Figure(baseline.SuccessRate, 4)));

        LoopResult during;
        ServerUsage usage;
        if (load is not null)
        {
            (during, usage, var fault) = await NormalClientsAsync(process, options.FaultWindow, load.Mix, load, cancellationToken);
            foreach (var (path, result) in fault!)
            {
                var step = "fault " + path;
                observations.Add(new(name, scenario, step, "attempts", result.Attempts));
                observations.Add(new(name, scenario, step, "answered_below_400", result.Successes));
                observations.Add(new(name, scenario, step, "answered_400_or_more", result.ErrorStatuses));
                observations.Add(new(name, scenario, step, "connections_lost", result.Closed + result.ConnectErrors));
                observations.Add(new(name, scenario, step, "timeouts", result.Timeouts));
                observations.Add(new(name, scenario, step, "unfinished_at_end", result.Unfinished));
                observations.Add(new(name, scenario, step, "p99_ms", StudyRow.Figure(result.P99Ms)));
            }

            rows.Add(LoopRow(name, scenario, "fault", during, usage, during.Successes + during.ErrorStatuses + Answered(fault), observations));
        }
        else if (scenario == Scenario.Overload)
        {
            (during, usage, var offered) = await OverloadAsync(server, process, rows, observations, cancellationToken);
            rows.Add(LoopRow(name, scenario, "fault", during, usage, during.Successes + during.ErrorStatuses + offered, observations));
        }
        else
        {
            (during, usage, var held) = await AttackAsync(process, scenario, cancellationToken);
            observations.Add(new(name, scenario, "fault", "attack_sockets", options.AttackSockets));
            observations.Add(new(name, scenario, "fault", "attack_sockets_held", held));
            rows.Add(LoopRow(name, scenario, "fault", during, usage, during.Successes + during.ErrorStatuses, observations));
        }

        observations.Add(new(name, scenario, "fault", "success_rate", StudyRow.Figure(during.SuccessRate, 4)));
        observations.Add(new(name, scenario, "fault", "rss_before_mb", StudyRow.Figure(usage.ResidentBefore / 1048576.0, 1)));
        observations.Add(new(name, scenario, "fault", "rss_peak_mb", StudyRow.Figure(usage.PeakResidentBytes / 1048576.0, 1)));
        observations.Add(new(name, scenario, "fault", "rss_after_mb", StudyRow.Figure(usage.ResidentAfter / 1048576.0, 1)));
        observations.Add(new(name, scenario, "fault", "server_exited", process.HasExited ? 1 : 0));
        return new Sample(rows, observations);
    }

    private static long Answered(IReadOnlyDictionary<string, LoopResult>? results) =>
        results?.Values.Sum(r => r.Successes + r.ErrorStatuses) ?? 0;

    /// <summary>The normal clients on /hello for a window, with the fault's clients (when given) looping their mix meanwhile, cancelled when the window ends.</summary>
    private async Task<(LoopResult Normal, ServerUsage Usage, IReadOnlyDictionary<string, LoopResult>? Fault)> NormalClientsAsync(
        ServerProcess process, TimeSpan window, IReadOnlyList<string>? mix, FaultLoad? load, CancellationToken cancellationToken)
    {
        process.TruncateOutput();
        await using var sampler = ServerSampler.Start(process);
        using var endOfWindow = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var fault = mix is null || load is null
            ? null
            : LoopingClients.RunMixAsync(process.Port, mix, load.Connections, window + TimeSpan.FromMinutes(1), load.RequestTimeout, endOfWindow.Token);
        var normal = (await LoopingClients.RunMixAsync(process.Port, ["/hello"], options.NormalConnections, window, cancellation: cancellationToken))["/hello"];
        await endOfWindow.CancelAsync();
        var faultResults = fault is null ? null : await fault;
        return (normal, await sampler.StopAsync(), faultResults);
    }

    /// <summary>
    /// Overload: the model's capacity on the CPU-bound overload route (closed loop, wrk, 64
    /// connections), then an open loop at twice that rate on it while the normal clients measure /hello.
    /// </summary>
    private async Task<(LoopResult Normal, ServerUsage Usage, long Answered)> OverloadAsync(
        StudyServer server, ServerProcess process, List<StudyRow> rows, List<Observation> observations, CancellationToken cancellationToken)
    {
        var capacitySample = await ThroughputAsync(server, process, Scenario.Overload, options.OverloadPath, options.Connections, null, "capacity", cancellationToken);
        rows.AddRange(capacitySample.Rows);
        var capacity = capacitySample.Rows[0].Rps ?? 0;
        // At least 100 requests/s, so a model that served almost nothing is still offered a load.
        var rate = Math.Max(100, 2 * capacity);
        var schedule = new OpenLoopSchedule(rate, options.FaultWindow);
        process.TruncateOutput();
        await using var sampler = ServerSampler.Start(process);
        var offered = OpenLoopGenerator.RunAsync(process.Port, options.OverloadPath, schedule, options.OpenLoopMaxConnections * 2, options.OpenLoopGrace, TimeSpan.FromSeconds(5), cancellationToken);
        var normal = (await LoopingClients.RunMixAsync(process.Port, ["/hello"], options.NormalConnections, options.FaultWindow, cancellation: cancellationToken))["/hello"];
        var result = await offered;
        var usage = await sampler.StopAsync();
        var offeredSample = result.ToSample(server.Name, Scenario.Overload, "offered 2x", usage);
        rows.AddRange(offeredSample.Rows);
        observations.AddRange(offeredSample.Observations);
        return (normal, usage, result.Successes + result.ErrorStatuses);
    }

    /// <summary>A slowhttptest attack held while the normal clients measure; then the attack sockets the server still holds.</summary>
    private async Task<(LoopResult Normal, ServerUsage Usage, int Held)> AttackAsync(ServerProcess process, string scenario, CancellationToken cancellationToken)
    {
        process.TruncateOutput();
        await using var sampler = ServerSampler.Start(process);
        var ramp = options.AttackRamp;
        var seconds = (int)Math.Ceiling((ramp + options.FaultWindow).TotalSeconds) + 5;
        var output = Path.Combine(paths.WorkDirectory, $"slowhttptest-{process.Port}.log");
        LoopResult normal;
        int held;
        await using (var attack = SlowHttpTest.Start(SlowHttpTest.Arguments(scenario, process.Port, options.AttackSockets, seconds), output))
        {
            await Task.Delay(ramp, cancellationToken);
            if (attack.HasExited)
            {
                throw new InvalidOperationException($"slowhttptest ended at once: {File.ReadLines(output).LastOrDefault(l => l.Trim().Length > 0)}");
            }

            normal = (await LoopingClients.RunMixAsync(process.Port, ["/hello"], options.NormalConnections, options.FaultWindow, cancellation: cancellationToken))["/hello"];
            held = TcpTable.CountEstablished(process.Port);
        }

        return (normal, await sampler.StopAsync(), held);
    }

    /// <summary>A row from looping clients; the server's context switches per request it answered go to <paramref name="observations"/> when given.</summary>
    private static StudyRow LoopRow(string server, string scenario, string? step, LoopResult result, ServerUsage usage, long answeredByServer, List<Observation>? observations = null)
    {
        observations?.Add(new(server, scenario, step, "context_switches_per_request", StudyRow.Figure(usage.ContextSwitchesPer(answeredByServer), 3)));
        return LoopRow(server, scenario, step, result, usage, answeredByServer);
    }

    private static StudyRow LoopRow(string server, string scenario, string? step, LoopResult result, ServerUsage usage, long answeredByServer) => new()
    {
        Server = server,
        Scenario = scenario,
        Step = step,
        Rps = StudyRow.Figure(result.RequestsPerSecond, 1),
        P50Ms = StudyRow.Figure(result.P50Ms),
        P99Ms = StudyRow.Figure(result.P99Ms),
        P999Ms = StudyRow.Figure(result.P999Ms),
        CpuUsPerRequest = StudyRow.Figure(usage.CpuMicrosecondsPer(answeredByServer), 2),
        Threads = usage.PeakThreads,
        RssMb = StudyRow.Figure(usage.PeakResidentBytes / 1048576.0, 1),
        Errors = result.ConnectErrors + result.Timeouts + result.Closed,
        Non2xx = result.ErrorStatuses,
    };

    private static async Task<long> ReadCountAsync(int port, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var body = await http.GetStringAsync($"http://127.0.0.1:{port}/counter", cancellationToken);
        var match = CountField().Match(body);
        return match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : throw new FormatException($"/counter answered {body}");
    }

    private async Task<ServerProcess> SharedAsync(StudyServer server, CancellationToken cancellationToken)
    {
        if (_running.TryGetValue(server, out var process) && !process.HasExited)
        {
            return process;
        }

        if (process is not null)
        {
            // It died under an earlier scenario: that is a finding, recorded, and the next scenarios get a new one.
            console.WriteLine($"   {server.Name} had exited; restarting it");
            _restarts.Add(new(server.Name, "server", null, "restarts", _restarts.Count(r => r.Server == server.Name) + 1));
            process.Dispose();
            _running.Remove(server);
        }

        return await StartSharedAsync(server, cancellationToken);
    }

    private async Task<ServerProcess> StartSharedAsync(StudyServer server, CancellationToken cancellationToken)
    {
        try
        {
            var process = await StartAsync(server, SharedPort(server), cancellationToken);
            _running[server] = process;
            return process;
        }
        catch (Exception error) when (error is InvalidOperationException or TimeoutException)
        {
            _unavailable[server] = $"did not start: {error.Message.Split('\n')[0]}";
            throw;
        }
    }

    private int SharedPort(StudyServer server) => FirstPort + servers.ToList().IndexOf(server);

    private async Task<ServerProcess> StartAsync(StudyServer server, int port, CancellationToken cancellationToken)
    {
        var (file, arguments) = server.Peer.Command(paths, port);
        console.WriteLine($"   start {server.Name}: {file} {string.Join(' ', arguments)}");
        return await ServerProcess.StartAsync(server.Name, file, arguments, port, paths.ServerOutput(port), cancellationToken);
    }

    /// <summary>Whether the built server knows <c>--model</c> (its usage text names it).</summary>
    private async Task<bool> SupportsModelsAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(StudyServer.ServerDll(paths));
        start.ArgumentList.Add("--help");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not run ActorHttp.Server --help");
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken) + await errors;
        await process.WaitForExitAsync(cancellationToken);
        return output.Contains("--model", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"""count""\s*:\s*(\d+)")]
    private static partial Regex CountField();
}
