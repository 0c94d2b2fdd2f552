using ActorHttp.Bench;

// bench/run builds everything in Release and calls this with the repository and results folders;
// --attacks runs the attack bench instead of the throughput one.
var quick = args.Contains("--quick");
var repository = Argument("--repo") ?? Directory.GetCurrentDirectory();
var results = Argument("--out") ?? Path.Combine(repository, "bench", "results");
var work = Path.Combine(Path.GetTempPath(), $"actorhttp-bench-{Environment.ProcessId}");
Directory.CreateDirectory(work);

// Ctrl+C and SIGTERM cancel the run instead of ending the process at once: the runners then stop
// every server and wrk they started (by their process handles, in finally blocks) before exiting.
using var cancellation = new RunCancellation(Console.Error);
try
{
    var paths = new BenchPaths(Path.GetFullPath(repository), work);
    Directory.CreateDirectory(results);
    if (args.Contains("--attacks"))
    {
        // --attack 3 (or 1,3): only those attacks, by their number in the report.
        var only = Argument("--attack")?.Split(',').Select(number => int.Parse(number, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        var options = (quick ? AttackOptions.Quick : AttackOptions.Full) with { Only = only };
        var attacks = await new AttackRunner(paths, options, Console.Out).RunAsync(cancellation.Token);
        await File.WriteAllTextAsync(Path.Combine(results, "attacks.json"), attacks.ToJson());
        await File.WriteAllTextAsync(Path.Combine(results, "attacks.md"), attacks.ToMarkdown());
        Console.WriteLine();
        Console.WriteLine(attacks.ToMarkdown());
        Console.WriteLine($"Written to {results}: attacks.json, attacks.md");
        return 0;
    }

    // --baseline-dll PATH [--baseline-name NAME]: another build of the server joins the comparison.
    IReadOnlyList<Peer> peers = Argument("--baseline-dll") is { } baselineDll
        ? [Peer.ActorHttp, Peer.Baseline(Argument("--baseline-name") ?? "ActorHttp (baseline)", baselineDll), .. Peer.All.Skip(1)]
        : Peer.All;

    // --servers "ActorHttp,Kestrel" and --workloads "plaintext,json": a focused run of some rows
    // (a baseline build is kept whenever it was asked for).
    if (Argument("--servers")?.Split(',', StringSplitOptions.TrimEntries) is { } servers)
    {
        peers = peers.Where(p => servers.Contains(p.Name) || p.Name == Argument("--baseline-name")).ToList();
    }

    var throughput = quick ? BenchOptions.Quick : BenchOptions.Full;
    if (Argument("--rounds") is { } rounds)
    {
        // More rounds for a small difference: this machine's throughput drifts by more than 10% within a minute.
        if (!int.TryParse(rounds, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count) || count is < 1 or > 100)
        {
            Console.Error.WriteLine($"bench: --rounds must be a number of rounds from 1 to 100, not \"{rounds}\"");
            return 2;
        }

        throughput = throughput with { Rounds = count };
    }

    var runner = new BenchRunner(paths, throughput, Console.Out, peers, Workload.Named(Argument("--workloads")));
    var report = await runner.RunAsync(cancellation.Token);
    await File.WriteAllTextAsync(Path.Combine(results, "results.json"), report.ToJson());
    await File.WriteAllTextAsync(Path.Combine(results, "results.md"), report.ToMarkdown());
    report.SaveChart(Path.Combine(results, "throughput.png"));
    Console.WriteLine();
    Console.WriteLine(report.ToMarkdown());
    Console.WriteLine($"Written to {results}: results.json, results.md, throughput.png");
    return 0;
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    Console.Error.WriteLine("Cancelled; every server this run started is stopped.");
    return 130;
}
finally
{
    Directory.Delete(work, recursive: true);
}

string? Argument(string name)
{
    // The last occurrence wins, so options given to bench/run override the ones it passes first (--out).
    var index = Array.LastIndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
