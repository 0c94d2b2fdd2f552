using System.Diagnostics;
using System.Net.Http;

namespace ActorHttp.Bench;

/// <summary>A server under test: started by the bench, probed until it answers, stopped at the end whatever happens.</summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringWriter _log = new();

    private ServerProcess(string name, Process process, int port)
    {
        Name = name;
        _process = process;
        Port = port;
    }

    public string Name { get; }

    public int Port { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Every process whose memory counts for this server (nginx: master and workers).</summary>
    public IEnumerable<int> ProcessIds => new[] { _process.Id }.Concat(ChildrenOf(_process.Id));

    public static async Task<ServerProcess> StartAsync(string name, string fileName, IEnumerable<string> arguments, int port)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {name}");
        var server = new ServerProcess(name, process, port);
        process.OutputDataReceived += (_, e) => server.Log(e.Data);
        process.ErrorDataReceived += (_, e) => server.Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitUntilServingAsync();
        return server;
    }

    /// <summary>Resident memory of the server's processes, in bytes, from /proc.</summary>
    public long ResidentBytes() => ProcessIds.Sum(ResidentBytesOf);

    /// <summary>CPU time the server's processes have used so far (user + system).</summary>
    public TimeSpan CpuTime() => ProcessIds.Aggregate(TimeSpan.Zero, (sum, pid) => sum + CpuTimeOf(pid));

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private static TimeSpan CpuTimeOf(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.TotalProcessorTime;
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException)
        {
            // Exited in the meantime (an nginx worker being replaced): it counts no more.
            return TimeSpan.Zero;
        }
    }

    private static long ResidentBytesOf(int pid)
    {
        var path = $"/proc/{pid}/status";
        if (!File.Exists(path))
        {
            return 0;
        }

        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    private static IEnumerable<int> ChildrenOf(int pid)
    {
        var path = $"/proc/{pid}/task/{pid}/children";
        return File.Exists(path)
            ? File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)
            : [];
    }

    private void Log(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.WriteLine(line);
            }
        }
    }

    private async Task WaitUntilServingAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode}:\n{_log}");
            }

            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{Port}/hello");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Not answering yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{Name} did not answer on port {Port} within 60 s:\n{_log}");
    }
}
