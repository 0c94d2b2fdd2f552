using ActorHttp.Bench;

// bench/run builds everything in Release and calls this with the repository and results folders;
// --attacks runs the attack bench instead of the throughput one.
var quick = args.Contains("--quick");
var repository = Argument("--repo") ?? Directory.GetCurrentDirectory();
var results = Argument("--out") ?? Path.Combine(repository, "bench", "results");
var work = Path.Combine(Path.GetTempPath(), $"actorhttp-bench-{Environment.ProcessId}");
Directory.CreateDirectory(work);
try
{
    var paths = new BenchPaths(Path.GetFullPath(repository), work);
    Directory.CreateDirectory(results);
    if (args.Contains("--attacks"))
    {
        var attacks = await new AttackRunner(paths, quick ? AttackOptions.Quick : AttackOptions.Full, Console.Out).RunAsync();
        await File.WriteAllTextAsync(Path.Combine(results, "attacks.json"), attacks.ToJson());
        await File.WriteAllTextAsync(Path.Combine(results, "attacks.md"), attacks.ToMarkdown());
        Console.WriteLine();
        Console.WriteLine(attacks.ToMarkdown());
        Console.WriteLine($"Written to {results}: attacks.json, attacks.md");
        return 0;
    }

    var runner = new BenchRunner(paths, quick ? BenchOptions.Quick : BenchOptions.Full, Console.Out);
    var report = await runner.RunAsync();
    await File.WriteAllTextAsync(Path.Combine(results, "results.json"), report.ToJson());
    await File.WriteAllTextAsync(Path.Combine(results, "results.md"), report.ToMarkdown());
    report.SaveChart(Path.Combine(results, "throughput.png"));
    Console.WriteLine();
    Console.WriteLine(report.ToMarkdown());
    Console.WriteLine($"Written to {results}: results.json, results.md, throughput.png");
    return 0;
}
finally
{
    Directory.Delete(work, recursive: true);
}

string? Argument(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
