using System.Globalization;
using System.Text;

namespace ActorHttp.Study;

/// <summary>
/// docs/concurrency-study.md, written from results.json alone: the method (machine, rounds, knobs),
/// every table and chart, what each model is good and bad at, and the classic studies beside our
/// figures. Every number in it comes from the results; the verdicts are rules over them, stated
/// with the figures they rest on, so a new run rewrites the text with its own measurements.
/// </summary>
public static class StudyDocument
{
    public static readonly IReadOnlyDictionary<string, string> ModelDescriptions = new Dictionary<string, string>
    {
        ["actors"] = "a connection actor per socket (mailbox on the .NET thread pool), requests routed to supervised handler actors that answer the connection directly",
        ["threads"] = "one OS thread per connection, blocking socket calls, the handler runs on that thread",
        ["pool"] = "a fixed pool of worker threads; each takes an accepted connection from a bounded queue and serves it until it closes (past the queue: 503)",
        ["eventloop"] = "one thread runs every connection's protocol and every handler; socket completions and timers are posted back to it",
        ["tasks"] = "an async loop per connection on the .NET thread pool (System.IO.Pipelines), handlers awaited: Kestrel's model on our core",
        ["kestrel"] = "ASP.NET Core's server (minimal API peer, bench/peers/Kestrel), its own HTTP code: the production reference for the tasks model",
        ["nginx"] = "nginx, one worker process (event loop), fixed answers and static files only: the reference for a tuned C event loop",
    };

    public static string Write(StudyResults results, string resultsFolder, IReadOnlyList<string> charts)
    {
        var md = new StringBuilder();
        var link = resultsFolder.Replace('\\', '/');
        md.AppendLine("# The concurrency-model study");
        md.AppendLine();
        md.AppendLine(Invariant($"Written by `study/run` from `{link}/results.json` ({results.Mode} run started {results.Machine.GetValueOrDefault("started_utc")} UTC{(results.Machine.TryGetValue("commit", out var commit) ? $", commit `{commit}`" : "")}). Do not edit the figures by hand: `study/run` measures and rewrites this file, `study/run --report-only` rewrites it from the results."));
        if (results.Mode != "full")
        {
            md.AppendLine();
            md.AppendLine("> **These figures come from a quick run** (one short round, reduced sizes, one server per model reused across scenarios). They show that every scenario runs, not how the models compare; the full run (`study/run`, about an hour) replaces them.");
        }

        AppendWhy(md);
        AppendMethod(md, results);
        AppendCharts(md, link, charts);
        md.AppendLine();
        md.AppendLine("## Every figure");
        StudyReport.AppendFaultSummary(md, results, 3);
        StudyReport.AppendRowTables(md, results, 3);
        md.AppendLine();
        md.AppendLine(Invariant($"Context switches per request, the open-loop percentiles, attack sockets held, the overload's shed rate and the counter's count are in `{link}/results.md` and `results.json` (`observations`)."));
        AppendModels(md, results);
        AppendClassics(md, results);
        AppendLimits(md);
        return md.ToString();
    }

    private static void AppendWhy(StringBuilder md)
    {
        md.AppendLine();
        md.AppendLine("## Why");
        md.AppendLine();
        md.AppendLine("Five ways to schedule an HTTP/1.1 server run the same connection core (`Http1Connection`) and the same handlers, so only the scheduling differs, as in the Flash study (Pai, Druschel, Zwaenepoel 1999). Each faces the same workloads and the same faults (crashing, hung, CPU-heavy and blocking handlers, slow clients, overload) beside Kestrel and nginx, in one run of one command. The classic studies each had a part of this; none injected faults into every model on identical protocol code.");
    }

    private static void AppendMethod(StringBuilder md, StudyResults results)
    {
        md.AppendLine();
        md.AppendLine("## Method");
        md.AppendLine();
        var m = results.Machine;
        md.AppendLine($"**Machine.** {m.GetValueOrDefault("cores")} cores ({m.GetValueOrDefault("cpu")}), {m.GetValueOrDefault("memory")}, Linux {m.GetValueOrDefault("kernel")}, {m.GetValueOrDefault(".net")}; {m.GetValueOrDefault("wrk")}, {m.GetValueOrDefault("nginx")}, {m.GetValueOrDefault("slowhttptest")}. Load average when the run started: {m.GetValueOrDefault("load_average_at_start")}. The load generators share the cores with the server under test, and the machine is shared, so every figure is CPU-bound on both sides and the ratios, taken in the same run, say more than the absolute numbers.");
        md.AppendLine();
        md.AppendLine("**Servers.**");
        md.AppendLine();
        foreach (var server in results.Servers())
        {
            md.AppendLine($"- `{server}`: {ModelDescriptions.GetValueOrDefault(server, "")}.");
        }

        md.AppendLine();
        md.AppendLine("Every server runs on 127.0.0.1 and is started and stopped by the study. One server is under load at a time; in each scenario the servers take turns, and the throughput scenarios run in rounds (the round with the median requests/s is kept, errors summed over all), so a slow spell of the machine falls on all alike.");
        if (results.Knobs.TryGetValue("study", out var study))
        {
            md.AppendLine();
            md.AppendLine("**How each scenario was run** (the study's knobs):");
            md.AppendLine();
            foreach (var (key, value) in study)
            {
                md.AppendLine($"- {key}: {value}");
            }
        }

        md.AppendLine();
        md.AppendLine("**The knobs that decide the models' behaviour** (all of them are in results.md):");
        md.AppendLine();
        string? Knob(string section, string key) => results.Knobs.TryGetValue(section, out var s) && s.TryGetValue(key, out var v) ? v : null;
        var picks = new (string Section, string Key)[]
        {
            ("actorhttp-runtime", "System.GC.Server"), ("actorhttp-runtime", "System.GC.Concurrent"),
            ("kestrel-runtime", "System.GC.Server"),
            ("actorhttp", "actorhttp.models.pool.threads"), ("actorhttp", "actorhttp.models.pool.queue"),
            ("actorhttp", "actorhttp.models.eventloop.loops"),
            ("actorhttp", "actorhttp.connection-dispatcher.executor"), ("actorhttp", "actorhttp.connection-dispatcher.throughput"),
            ("actorhttp", "actorhttp.server.max-connections"), ("actorhttp", "actorhttp.server.idle-timeout"),
            ("actorhttp", "actorhttp.server.request-header-timeout"), ("actorhttp", "actorhttp.server.handler-timeout"),
            ("actorhttp", "actorhttp.server.pipelining-limit"), ("actorhttp", "actorhttp.server.max-response-buffer"),
            ("actorhttp", "actorhttp.server.min-request-body-rate"), ("actorhttp", "actorhttp.server.min-response-data-rate"),
        };
        foreach (var (section, key) in picks)
        {
            if (Knob(section, key) is { } value)
            {
                md.AppendLine($"- {section} `{key}` = {value}");
            }
        }

        if (results.Knobs.TryGetValue("nginx", out var nginx))
        {
            md.AppendLine($"- nginx: {string.Join("; ", nginx.Values.Where(v => v.StartsWith("worker", StringComparison.Ordinal) || v.StartsWith("keepalive", StringComparison.Ordinal)))}");
        }
    }

    private static void AppendCharts(StringBuilder md, string link, IReadOnlyList<string> charts)
    {
        var captions = new Dictionary<string, string>
        {
            [StudyCharts.Connections] = "Requests/s against concurrent connections",
            [StudyCharts.FaultsP99] = "Normal clients' p99 under each fault (log scale; thin dark bar: without the fault)",
            [StudyCharts.IdleMemory] = "Memory per idle keep-alive connection",
            [StudyCharts.OpenLoopLatency] = "Open-loop latency distribution, measured from each request's scheduled time",
        };
        md.AppendLine();
        md.AppendLine("## Charts");
        foreach (var chart in charts)
        {
            md.AppendLine();
            md.AppendLine($"![{captions.GetValueOrDefault(chart, chart)}]({link}/{chart})");
        }
    }

    /// <summary>What a fault did to a server's normal clients, judged from the figures.</summary>
    public enum Harm
    {
        Unmeasured,
        Unharmed,
        Slowed,
        Hurt,
    }

    /// <summary>
    /// Hurt: fewer than half the baseline's requests/s, or under 90% of attempts succeeded.
    /// Slowed: under 80% of the requests/s, under 99% success, or p99 over three times the
    /// baseline's (and over 10 ms). Otherwise unharmed.
    /// </summary>
    public static Harm Judge(StudyResults results, string server, string fault)
    {
        var baseline = results.Row(server, fault, "baseline");
        var during = results.Row(server, fault, "fault");
        if (baseline?.Rps is not { } before || during?.Rps is not { } after || before <= 0)
        {
            return Harm.Unmeasured;
        }

        var kept = after / before;
        var success = results.Observed(server, fault, "fault", "success_rate") ?? 1;
        if (kept < 0.5 || success < 0.9)
        {
            return Harm.Hurt;
        }

        var p99Grew = during.P99Ms is { } p && baseline.P99Ms is { } b && b > 0 && p > 3 * b && p > 10;
        return kept < 0.8 || success < 0.99 || p99Grew ? Harm.Slowed : Harm.Unharmed;
    }

    /// <summary>What the design (issue 12, docs' model table) expected to hurt each model: the faults that would show it.</summary>
    public static readonly IReadOnlyDictionary<string, (string Expected, string[] Faults)> Expectations = new Dictionary<string, (string, string[])>
    {
        ["actors"] = ("little: that is the claim to measure", [.. Scenario.Faults]),
        ["threads"] = ("memory and switches per connection; slow clients hold threads", [Scenario.Slowloris, Scenario.SlowBody, Scenario.SlowReader, Scenario.Hang]),
        ["pool"] = ("slow clients exhaust the workers", [Scenario.Slowloris, Scenario.SlowBody, Scenario.SlowReader, Scenario.Hang]),
        ["eventloop"] = ("any blocking or CPU-heavy handler stalls everyone", [Scenario.Cpu, Scenario.Blocking]),
        ["tasks"] = ("sync-over-async starves the thread pool", [Scenario.Blocking]),
        ["kestrel"] = ("sync-over-async starves the thread pool, as for tasks", [Scenario.Blocking]),
    };

    private static void AppendModels(StringBuilder md, StudyResults results)
    {
        md.AppendLine();
        md.AppendLine("## Each model, from the figures");
        md.AppendLine();
        md.AppendLine("Generated from the rows above: a fault *hurt* a server when its normal clients kept under half their requests/s or under 90% of their requests succeeded, *slowed* it when they kept under 80%, succeeded under 99%, or their p99 grew over threefold (and past 10 ms); otherwise it left them *unharmed*.");
        var models = results.Servers();
        foreach (var server in models)
        {
            md.AppendLine();
            md.AppendLine($"### {server}");
            md.AppendLine();
            md.AppendLine($"{Capital(ModelDescriptions.GetValueOrDefault(server, server))}.");
            md.AppendLine();
            var good = new List<string>();
            var bad = new List<string>();
            foreach (var scenario in new[] { Scenario.Plaintext, Scenario.Json, Scenario.Pipelined })
            {
                if (results.Row(server, scenario) is { Skipped: null, Rps: { } rps } row)
                {
                    md.AppendLine(Invariant($"- {scenario}: {rps:N0} requests/s{Versus(results, row)}, p99 {row.P99Ms:0.##} ms, {row.CpuUsPerRequest:0.#} µs of CPU per request, {row.Threads} threads."));
                    var best = results.Rows.Where(r => r.Scenario == scenario && r.Skipped is null && r.Rps is not null).Max(r => r.Rps!.Value);
                    if (rps >= 0.95 * best)
                    {
                        good.Add($"{scenario} (the most requests/s, or within 5% of it)");
                    }
                }
            }

            var steps = results.Rows.Where(r => r.Server == server && r.Scenario == Scenario.Connections && r.Skipped is null && r.Rps is not null)
                .OrderBy(r => double.Parse(r.Step!, CultureInfo.InvariantCulture)).ToList();
            if (steps.Count >= 2)
            {
                var first = steps[0];
                var last = steps[^1];
                var held = last.Rps!.Value / Math.Max(1, first.Rps!.Value);
                md.AppendLine(Invariant($"- connections: {first.Rps:N0} requests/s at {first.Step} connections, {last.Rps:N0} at {last.Step} ({held:0.00} of it), p99 {first.P99Ms:0.##} → {last.P99Ms:0.##} ms, {last.Threads} threads at {last.Step}{(last.Non2xx is > 0 ? $", {last.Non2xx:N0} answers ≥ 400" : "")}{(last.Errors is > 0 ? $", {last.Errors:N0} socket errors" : "")}."));
                if (held < 0.5)
                {
                    bad.Add(Invariant($"many connections ({held:0.00} of its 64-connection rate at {last.Step})"));
                }
                else if (held >= 0.9)
                {
                    good.Add("many connections (its rate held)");
                }
            }

            var idle = results.Observations.Where(o => o.Server == server && o.Scenario == Scenario.IdleMemory && o.Name == "kib_per_connection" && o.Value is not null)
                .OrderBy(o => double.Parse(o.Step!, CultureInfo.InvariantCulture)).LastOrDefault();
            if (idle is not null)
            {
                var row = results.Row(server, Scenario.IdleMemory, idle.Step);
                var heldCount = results.Observed(server, Scenario.IdleMemory, idle.Step, "connections_held");
                md.AppendLine(Invariant($"- idle memory: {idle.Value:0.#} KiB per idle keep-alive connection with {heldCount:N0} of {double.Parse(idle.Step!, CultureInfo.InvariantCulture):N0} held, {row?.Threads} threads{(row?.Errors is > 0 ? $"; {row.Errors:N0} connections refused or unanswered" : "")}."));
                var all = results.Observations.Where(o => o.Scenario == Scenario.IdleMemory && o.Step == idle.Step && o.Name == "kib_per_connection" && o.Value is not null && StudyServer.ModelNames.Contains(o.Server)).ToList();
                if (StudyServer.ModelNames.Contains(server) && all.Count > 1 && idle.Value >= all.Max(o => o.Value!.Value))
                {
                    bad.Add("memory per idle connection (the most of the models)");
                }
                else if (StudyServer.ModelNames.Contains(server) && all.Count > 1 && idle.Value <= all.Min(o => o.Value!.Value))
                {
                    good.Add("memory per idle connection (the least of the models)");
                }
            }

            if (results.Row(server, Scenario.OpenLoop) is { Skipped: null } open)
            {
                md.AppendLine(Invariant($"- open loop at {results.Observed(server, Scenario.OpenLoop, null, "offered_rps"):N0} requests/s: p50 {open.P50Ms:0.##}, p99 {open.P99Ms:0.##}, p99.9 {open.P999Ms:0.##}, max {results.Observed(server, Scenario.OpenLoop, null, "latency_ms_p100"):0.##} ms from the scheduled time; {open.Errors:N0} failed or unsent, {open.Non2xx:N0} answers ≥ 400."));
            }

            foreach (var fault in Scenario.Faults)
            {
                var harm = Judge(results, server, fault);
                if (harm == Harm.Unmeasured)
                {
                    continue;
                }

                var baseline = results.Row(server, fault, "baseline")!;
                var during = results.Row(server, fault, "fault")!;
                md.AppendLine(Invariant($"- {fault}: {harm.ToString().ToLowerInvariant()}: normal clients {baseline.Rps:N0} → {during.Rps:N0} requests/s, p99 {baseline.P99Ms:0.##} → {during.P99Ms:0.##} ms, {StudyReport.P(results.Observed(server, fault, "fault", "success_rate"))} succeeded. {StudyReport.FaultDetail(results, server, fault)}"));
                if (harm == Harm.Hurt)
                {
                    bad.Add(fault);
                }
                else if (harm == Harm.Unharmed)
                {
                    good.Add(fault);
                }
            }

            if (results.Observed(server, Scenario.Counter, null, "lost_updates") is { } lost)
            {
                var answered = results.Observed(server, Scenario.Counter, null, "answered");
                var counted = results.Observed(server, Scenario.Counter, null, "counted");
                md.AppendLine(Invariant($"- counter: {answered:N0} answered, {counted:N0} counted: {(lost == 0 ? "exact" : lost > 0 ? $"**{lost:N0} lost updates, a failure of this model**" : $"{-lost:N0} counted requests whose answers did not arrive")}."));
                if (lost > 0)
                {
                    bad.Add("the shared counter (lost updates)");
                }
            }

            if (results.Observed(server, "server", null, "restarts") is { } restarts)
            {
                md.AppendLine(Invariant($"- **the server exited during the study and was restarted {restarts:0} time(s)**."));
                bad.Add("staying up");
            }

            if (Expectations.TryGetValue(server, out var expectation))
            {
                var judged = expectation.Faults.Select(f => (f, harm: Judge(results, server, f))).Where(p => p.harm != Harm.Unmeasured).ToList();
                if (judged.Count > 0)
                {
                    md.AppendLine();
                    md.AppendLine($"The design expected this to hurt it: {expectation.Expected}. Measured: {string.Join(", ", judged.Select(p => $"{p.f} {p.harm.ToString().ToLowerInvariant()}"))}.");
                }
            }

            md.AppendLine();
            md.AppendLine($"Good at: {(good.Count == 0 ? "nothing stood out" : string.Join("; ", good))}. Bad at: {(bad.Count == 0 ? "nothing measured here" : string.Join("; ", bad))}.");
        }
    }

    private static void AppendClassics(StringBuilder md, StudyResults results)
    {
        md.AppendLine();
        md.AppendLine("## Beside the classic studies");
        md.AppendLine();
        md.AppendLine("Each classic result, then what this run measured on the nearest question, and whether the two agree.");
        double? Rps(string server, string scenario, string? step = null) => results.Row(server, scenario, step) is { Skipped: null } r ? r.Rps : null;

        // Flash: on cached loads the architecture barely matters; MT declines slowly past ~200 connections.
        md.AppendLine();
        md.AppendLine("**Flash** (Pai, Druschel, Zwaenepoel, USENIX ATC 1999): one codebase as process-per-connection (MP), thread-per-connection (MT), a single event loop (SPED) and an event loop with helpers (AMPED). On cached workloads the architecture barely mattered; past about 200 connections MT declined slowly and MP sharply.");
        var plain = StudyServer.ModelNames.Select(m => (m, rps: Rps(m, Scenario.Plaintext))).Where(p => p.rps is > 0).ToList();
        if (plain.Count >= 2)
        {
            var spread = plain.Max(p => p.rps!.Value) / plain.Min(p => p.rps!.Value);
            md.AppendLine();
            var cpu = StudyServer.ModelNames.Select(m => (m, us: results.Row(m, Scenario.Plaintext)?.CpuUsPerRequest)).Where(p => p.us is > 0).ToList();
            var cpuSpread = cpu.Count >= 2 ? Invariant($" CPU per request ran from {cpu.Min(p => p.us):0.#} µs ({cpu.MinBy(p => p.us)!.m}) to {cpu.Max(p => p.us):0.#} µs ({cpu.MaxBy(p => p.us)!.m}).") : "";
            md.AppendLine(Invariant($"Here, plaintext (cached, tiny answers) from {plain.MinBy(p => p.rps)!.m} {plain.Min(p => p.rps):N0} to {plain.MaxBy(p => p.rps)!.m} {plain.Max(p => p.rps):N0} requests/s: a spread of {spread:0.00}×.{cpuSpread} {(spread <= 1.5 ? "That agrees: on an in-memory load the models stay within half of each other." : "That differs: here the scheduling model alone moves throughput by more than half; with the load generator on the same 2 cores, every cycle a model spends per request is a cycle the generator and the other requests do not get.")}"));
        }

        var threadSteps = results.Rows.Where(r => r.Server == "threads" && r.Scenario == Scenario.Connections && r.Rps is not null).OrderBy(r => double.Parse(r.Step!, CultureInfo.InvariantCulture)).ToList();
        if (threadSteps.Count >= 2)
        {
            var at256 = threadSteps.FirstOrDefault(r => r.Step == "256") ?? threadSteps[0];
            var top = threadSteps[^1];
            var kept = top.Rps!.Value / Math.Max(1, at256.Rps!.Value);
            var switches = (results.Observed("threads", Scenario.Connections, at256.Step, "context_switches_per_request"), results.Observed("threads", Scenario.Connections, top.Step, "context_switches_per_request"));
            var cost = Invariant($"CPU per request {at256.CpuUsPerRequest:0.#} → {top.CpuUsPerRequest:0.#} µs, context switches per request {switches.Item1:0.##} → {switches.Item2:0.##}");
            md.AppendLine();
            md.AppendLine(Invariant($"threads (MT) went from {at256.Rps:N0} requests/s at {at256.Step} connections to {top.Rps:N0} at {top.Step} ({kept:0.00} of it), with {top.Threads} threads; {cost}. {(kept >= 0.6 && kept < 0.95 ? "That agrees with Flash's slow decline." : kept >= 0.95 ? "It did not decline, unlike Flash's MT." : "It fell faster than Flash's MT.")}"));
        }

        if (results.Row("pool", Scenario.Connections, "4096") is { Skipped: null } pool4096)
        {
            md.AppendLine();
            md.AppendLine(Invariant($"The bounded pool (nearest to Flash's MP, whose processes were a fixed pool) answered {pool4096.Non2xx:N0} requests with ≥ 400 and had {pool4096.Errors:N0} socket errors at 4,096 connections: a connection holds its worker until it closes, so past workers + queue newcomers are refused."));
        }

        if (plain.Count < 2 && threadSteps.Count < 2)
        {
            md.AppendLine();
            md.AppendLine("Not measured in this run (it needs plaintext or the connection steps of several models).");
        }

        // SEDA: overload fairness.
        md.AppendLine();
        md.AppendLine("**SEDA** (Welsh, Culler, Brewer, SOSP 2001): under overload Apache's worst client waited about 93 s and SEDA's Haboob 3.8 s: admission control and explicit queues keep a server fair and its latency bounded. Ruan and Pai (2004) replayed that load and found tuning and kernel blocking dominated (at 2,300 requests/s Apache p95 1,599 ms, tuned Flash 7.45 ms).");
        var overload = results.Servers().Select(s => (s, row: results.Row(s, Scenario.Overload, "offered 2x"))).Where(p => p.row is { Skipped: null }).ToList();
        if (overload.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("Here, at twice each server's own capacity on `" + (results.Knobs.GetValueOrDefault("study")?.GetValueOrDefault("overload")?.Split(' ').FirstOrDefault(w => w.StartsWith('/')) ?? "the overload route").TrimEnd(';') + "`:");
            md.AppendLine();
            foreach (var (server, row) in overload)
            {
                md.AppendLine(Invariant($"- {server}: {StudyReport.P(results.Observed(server, Scenario.Overload, "offered 2x", "shed_fraction"))} of the offered requests not served (≥ 400 {row!.Non2xx:N0}, failed or unsent {row.Errors:N0}); p99 of those served {row.P99Ms:N0} ms, max {results.Observed(server, Scenario.Overload, "offered 2x", "latency_ms_p100"):N0} ms; RSS {results.Observed(server, Scenario.Overload, "fault", "rss_before_mb"):0} → peak {results.Observed(server, Scenario.Overload, "fault", "rss_peak_mb"):0} MiB; normal clients on /hello: {Judge(results, server, Scenario.Overload).ToString().ToLowerInvariant()}."));
            }

            var bounded = overload.Where(p => p.row!.Non2xx > 0).Select(p => p.s).ToList();
            md.AppendLine();
            md.AppendLine(bounded.Count > 0
                ? $"Those that refused work with a status ({string.Join(", ", bounded)}) shed instead of queueing: SEDA's admission control. The others queue, and latency is what grows."
                : "None refused work with a status: every server queued, so latency is what grows under overload, as SEDA warned for servers without admission control.");
        }

        if (overload.Count == 0)
        {
            md.AppendLine();
            md.AppendLine("Not measured in this run.");
        }

        // von Behren vs Pariag.
        md.AppendLine();
        md.AppendLine("**Threads against events.** von Behren et al. (2003, Capriccio) found threads can match events (with 100,000 cheap threads); Pariag et al. (EuroSys 2007) found events and pipelines 18% ahead of threads, and that tuning flips the results, so every knob must be published (results.md lists ours).");
        var th = Rps("threads", Scenario.Plaintext);
        var ev = Rps("eventloop", Scenario.Plaintext);
        if (th is > 0 && ev is > 0)
        {
            var ratio = th.Value / ev.Value;
            var idleThreads = results.Observations.Where(o => o.Server == "threads" && o.Scenario == Scenario.IdleMemory && o.Name == "kib_per_connection").LastOrDefault();
            var idleLoop = results.Observations.Where(o => o.Server == "eventloop" && o.Scenario == Scenario.IdleMemory && o.Name == "kib_per_connection").LastOrDefault();
            md.AppendLine();
            md.AppendLine(Invariant($"Here threads served {ratio:0.00}× the event loop's plaintext requests/s. {(ratio >= 0.95 ? "Threads matched events on throughput, as von Behren argued." : ratio >= 0.75 ? "Events led by a margin like Pariag's." : "Events led by far more than Pariag's 18%.")}{(idleThreads?.Value is { } kt && idleLoop?.Value is { } kl ? $" Memory is where threads pay: {kt:0.#} KiB per idle connection against the event loop's {kl:0.#} KiB." : "")}"));
        }

        if (th is not > 0 || ev is not > 0)
        {
            md.AppendLine();
            md.AppendLine("Not measured in this run (it needs plaintext from threads and eventloop).");
        }

        // Ousterhout: a long handler freezes the loop.
        md.AppendLine();
        md.AppendLine("**Ousterhout** (1996): events need no locks, but a long-running handler freezes the loop.");
        if (Judge(results, "eventloop", Scenario.Cpu) is var cpuHarm and not Harm.Unmeasured)
        {
            var b = results.Row("eventloop", Scenario.Cpu, "baseline")!;
            var d = results.Row("eventloop", Scenario.Cpu, "fault")!;
            md.AppendLine();
            md.AppendLine(Invariant($"Here, with 10% of one client group's requests burning 5 ms of CPU, the event loop's normal clients went {b.Rps:N0} → {d.Rps:N0} requests/s and p99 {b.P99Ms:0.##} → {d.P99Ms:0.##} ms ({cpuHarm.ToString().ToLowerInvariant()}); actors: {Judge(results, "actors", Scenario.Cpu).ToString().ToLowerInvariant()}. {(cpuHarm is Harm.Hurt or Harm.Slowed ? "That agrees." : "The loop was not frozen badly enough to show it here.")}"));
        }
        else
        {
            md.AppendLine();
            md.AppendLine("Not measured in this run (it needs the event loop's cpu fault).");
        }

        // .NET thread-pool starvation.
        md.AppendLine();
        md.AppendLine("**.NET thread-pool starvation** (Microsoft's guidance): a handler that blocks a pool thread (sync over async) backs requests up for seconds while the pool injects threads slowly.");
        var pooled = new[] { "tasks", "actors", "kestrel" }.Select(s => (s, harm: Judge(results, s, Scenario.Blocking))).Where(p => p.harm != Harm.Unmeasured).ToList();
        if (pooled.Count > 0)
        {
            md.AppendLine();
            foreach (var (server, harm) in pooled)
            {
                var b = results.Row(server, Scenario.Blocking, "baseline")!;
                var d = results.Row(server, Scenario.Blocking, "fault")!;
                md.AppendLine(Invariant($"- {server}: {harm.ToString().ToLowerInvariant()}, normal clients {b.Rps:N0} → {d.Rps:N0} requests/s, p99 {b.P99Ms:0.##} → {d.P99Ms:0.##} ms, threads at the peak {b.Threads} → {d.Threads}."));
            }

            md.AppendLine();
            md.AppendLine(pooled.Any(p => p.harm is Harm.Hurt or Harm.Slowed)
                ? "Those that suffered agree with the guidance; a thread count that grew during the fault is the pool injecting threads."
                : "At 10% of one client group blocking 50 ms, the pool kept up here: the starvation needs more blocking than this load gives.");
        }
        else
        {
            md.AppendLine();
            md.AppendLine("Not measured in this run.");
        }

        md.AppendLine();
        md.AppendLine("**loom-webflux-benchmarks** (2023–): an open loop at a fixed rate, one command, charts per run; it reported p99 from about 115 to 332 ms at 10,000 connections and 10,000 requests/s between virtual threads and reactive code.");
        var open = results.Servers().Select(s => (s, row: results.Row(s, Scenario.OpenLoop))).Where(p => p.row is { Skipped: null, P99Ms: not null }).ToList();
        if (open.Count > 0)
        {
            md.AppendLine();
            var rate = results.Observed(open[0].s, Scenario.OpenLoop, null, "offered_rps");
            var lowest = results.Rows.Where(r => r.Scenario == Scenario.Plaintext && r.Rps is > 0).Select(r => (r.Server, r.Rps!.Value)).OrderBy(p => p.Value).FirstOrDefault();
            var below = lowest.Server is not null && rate < lowest.Value / 2 ? Invariant($" (under half the lowest closed-loop plaintext rate measured here, {lowest.Server}'s {lowest.Value:N0})") : "";
            md.AppendLine(Invariant($"Here, at {rate:N0} requests/s{below}, p99 ranged from {open.Min(p => p.row!.P99Ms):0.##} ms ({open.MinBy(p => p.row!.P99Ms)!.s}) to {open.Max(p => p.row!.P99Ms):0.##} ms ({open.MaxBy(p => p.row!.P99Ms)!.s}); the latencies count from each request's scheduled time, so a stall is charged to every request it delayed."));
        }
        else
        {
            md.AppendLine();
            md.AppendLine("Not measured in this run.");
        }
    }

    private static void AppendLimits(StringBuilder md)
    {
        md.AppendLine();
        md.AppendLine("## Limits");
        md.AppendLine();
        md.AppendLine("- Two shared cores: the load generators (wrk, the study's own clients and open-loop generator, slowhttptest) compete with the server for CPU; a model that needs fewer cycles per request gets more of them. CPU per request is the steadier figure.");
        md.AppendLine("- Context switches per request sum the server's live threads at the end of a run: threads that ended meanwhile (a thread-per-connection server's) are missed, so that figure is a lower bound there.");
        md.AppendLine("- nginx takes part only where a static server can (fixed answers, files); Kestrel serves the study's routes through a minimal-API peer (bench/peers/Kestrel) whose /slow, /cpu and /block mirror ActorHttp's shared handlers.");
        md.AppendLine("- Loopback only: no network latency, no packet loss; the slow-client attacks come from the same machine.");
        md.AppendLine("- The fault scenarios (and idle memory) run one round each, within the study's time budget: a \"kept\" ratio is one run over one baseline run, so a ratio a little above 1 is the baseline's own noise, not a fault that helped. Read the fault tables for large effects (a model stalled or starved), not for differences of a few percent.");
    }

    private static string Versus(StudyResults results, StudyRow row) =>
        row.Server == StudyServer.Baseline ? "" : results.Ratio(row, r => r.Rps) is { } ratio ? Invariant($" ({ratio:0.00}× actors)") : "";

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
