using System.Diagnostics;
using System.Net.Http;

namespace ActorHttp.Bench;

/// <summary>
/// A server under test: started by the bench, probed until it answers, stopped at the end whatever
/// happens (also on cancellation, Ctrl+C or SIGTERM: see Program.cs). It is stopped through the
/// handle of the process the bench started, never looked up by name, so a server of the user's on
/// the same port or of the same program is never touched.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _outputFile;

    private ServerProcess(string name, Process process, int port, string outputFile)
    {
        Name = name;
        _process = process;
        Port = port;
        _outputFile = outputFile;
    }

    public string Name { get; }

    public int Port { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Every process whose memory counts for this server (nginx: master and workers).</summary>
    public IEnumerable<int> ProcessIds => new[] { _process.Id }.Concat(ChildrenOf(_process.Id));

    /// <summary>
    /// Starts the server and waits until it answers <c>GET /hello</c> on <paramref name="port"/>.
    /// Its standard output and error go to <paramref name="outputFile"/>, as a deployed server's go
    /// to a file or the journal: read through a pipe by the bench, a server that logs every request
    /// (ActorHttp's default access log) would cost the bench CPU of its own.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled before the server answered; it was stopped.</exception>
    public static async Task<ServerProcess> StartAsync(string name, string fileName, IEnumerable<string> arguments, int port, string outputFile, CancellationToken cancellationToken)
    {
        // A port someone else's process already listens on would have the bench measure that
        // process, which it must neither measure nor stop.
        if (IsListening(port))
        {
            throw new InvalidOperationException($"port {port} is already in use by a process this bench did not start; stop it or free the port (the bench never stops what it did not start)");
        }

        // The shell opens the file and replaces itself with the server (exec): the process started
        // here is the server itself, with the same id. Appending (>>) lets TruncateOutput empty the
        // file under the running server: its next write goes to the new end.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var argument in new[] { "-c", "exec \"$0\" \"$@\" >> \"$BENCH_SERVER_OUTPUT\" 2>&1", fileName }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["BENCH_SERVER_OUTPUT"] = outputFile;
        File.WriteAllText(outputFile, string.Empty);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {name}");
        var server = new ServerProcess(name, process, port, outputFile);
        try
        {
            await server.WaitUntilServingAsync(cancellationToken);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private static bool IsListening(int port)
    {
        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        try
        {
            probe.Connect(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>Empties the server's output file, so a server logging every request does not fill the disk over a long run.</summary>
    public void TruncateOutput()
    {
        using var file = new FileStream(_outputFile, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        file.SetLength(0);
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

        // nginx's workers share the listening socket and exit a moment after their master: the
        // next server on this port must not find it still open and take it for a stranger's.
        for (var waited = 0; waited < 50 && IsListening(Port); waited++)
        {
            Thread.Sleep(100);
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

    /// <summary>The start of the server's output, to explain a server that would not start.</summary>
    private string OutputStart()
    {
        using var file = new FileStream(_outputFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var buffer = new byte[16 * 1024];
        return System.Text.Encoding.UTF8.GetString(buffer, 0, file.Read(buffer));
    }

    private async Task WaitUntilServingAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode}:\n{OutputStart()}");
            }

            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{Port}/hello", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Not answering yet.
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException($"{Name} did not answer on port {Port} within 60 s:\n{OutputStart()}");
    }
}
