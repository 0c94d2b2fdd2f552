using ActorHttp.Bench;
using ActorHttp.Study;

// study/run builds everything in Release and calls this with the repository and results folders.
// --report-only: redraw results.md, the charts and the document from an existing results.json.
StudyArguments arguments;
try
{
    arguments = StudyArguments.Parse(args);
}
catch (ArgumentException error)
{
    Console.Error.WriteLine($"study: {error.Message}");
    Console.Error.WriteLine(StudyArguments.Usage);
    return 2;
}

Directory.CreateDirectory(arguments.Out);
if (arguments.ReportOnly)
{
    var existing = StudyResults.FromJson(await File.ReadAllTextAsync(Path.Combine(arguments.Out, "results.json")));
    await WriteReportAsync(existing);
    return 0;
}

var work = Path.Combine(Path.GetTempPath(), $"actorhttp-study-{Environment.ProcessId}");
Directory.CreateDirectory(work);

// Ctrl+C and SIGTERM cancel the run instead of ending the process at once: every server, wrk and
// slowhttptest it started is then stopped (by process handle, in finally blocks) before it exits.
using var cancellation = new RunCancellation(Console.Error);
try
{
    var paths = new BenchPaths(Path.GetFullPath(arguments.Repository), work);
    var options = arguments.Options;
    var started = DateTime.UtcNow;
    var machine = Knobs.Machine(arguments.Commit);
    var knobs = Knobs.Collect(paths, options);
    Console.WriteLine($"study ({options.Mode}): servers {string.Join(", ", arguments.Servers.Select(s => s.Name))}; scenarios {string.Join(", ", arguments.Scenarios)}");
    var runner = new StudyRunner(paths, options, arguments.Servers, arguments.Scenarios, Console.Out);
    var (rows, observations) = await runner.RunAsync(cancellation.Token);
    machine["duration_s"] = ((int)(DateTime.UtcNow - started).TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
    var results = new StudyResults { Mode = options.Mode, Machine = machine, Knobs = knobs, Rows = rows, Observations = observations };
    await File.WriteAllTextAsync(Path.Combine(arguments.Out, "results.json"), results.ToJson());
    await WriteReportAsync(results);
    Console.WriteLine($"study took {(DateTime.UtcNow - started).TotalSeconds:0} s");
    return 0;
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    Console.Error.WriteLine("Cancelled; every process this run started is stopped.");
    return 130;
}
finally
{
    Directory.Delete(work, recursive: true);
}

async Task WriteReportAsync(StudyResults results)
{
    await File.WriteAllTextAsync(Path.Combine(arguments.Out, "results.md"), StudyReport.ToMarkdown(results));
    var charts = StudyCharts.SaveAll(results, arguments.Out);
    var document = arguments.Document ?? Path.Combine(arguments.Out, "concurrency-study.md");
    await File.WriteAllTextAsync(document, StudyDocument.Write(results, Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(document))!, Path.GetFullPath(arguments.Out)), charts));
    Console.WriteLine($"Written to {arguments.Out}: results.json, results.md, {string.Join(", ", charts)}; the document: {document}");
}
