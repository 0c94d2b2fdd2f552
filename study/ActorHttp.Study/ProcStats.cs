using System.Globalization;
using ActorHttp.Bench;

namespace ActorHttp.Study;

/// <summary>A server's threads and context switches, read from /proc for all its processes (nginx: master and workers).</summary>
public readonly record struct ProcSnapshot(int Threads, long ContextSwitches, TimeSpan Cpu, long ResidentBytes);

public static class ProcStats
{
    public static ProcSnapshot Read(ServerProcess server)
    {
        var threads = 0;
        long switches = 0;
        foreach (var pid in server.ProcessIds)
        {
            foreach (var task in Tasks(pid))
            {
                threads++;
                switches += ContextSwitches(ReadOrEmpty($"/proc/{pid}/task/{task}/status"));
            }
        }

        return new ProcSnapshot(threads, switches, server.CpuTime(), server.ResidentBytes());
    }

    /// <summary>
    /// voluntary + nonvoluntary context switches from a /proc status text (one thread's). The sum
    /// over a process's live threads misses those of threads that ended meanwhile, so a figure from
    /// it is a lower bound for models that start and end threads per connection.
    /// </summary>
    public static long ContextSwitches(string status)
    {
        long total = 0;
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
            {
                total += long.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    private static IEnumerable<string> Tasks(int pid)
    {
        try
        {
            return Directory.GetDirectories($"/proc/{pid}/task").Select(Path.GetFileName).OfType<string>();
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            // The thread ended between the listing and the read.
            return string.Empty;
        }
    }
}

/// <summary>What a server spent during one measured window: CPU, context switches, its peak threads and resident memory.</summary>
public sealed record ServerUsage(TimeSpan Cpu, long ContextSwitches, int PeakThreads, long PeakResidentBytes, long ResidentBefore, long ResidentAfter)
{
    public double CpuMicrosecondsPer(double requests) => requests > 0 ? Cpu.TotalMicroseconds / requests : double.NaN;

    public double ContextSwitchesPer(double requests) => requests > 0 ? ContextSwitches / requests : double.NaN;
}

/// <summary>Samples a server every 250 ms while a measurement runs (threads and memory peak in between).</summary>
public sealed class ServerSampler : IAsyncDisposable
{
    private readonly ServerProcess _server;
    private readonly ProcSnapshot _before;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private int _peakThreads;
    private long _peakResident;

    private ServerSampler(ServerProcess server)
    {
        _server = server;
        _before = ProcStats.Read(server);
        _peakThreads = _before.Threads;
        _peakResident = _before.ResidentBytes;
        _sampling = SampleAsync();
    }

    public static ServerSampler Start(ServerProcess server) => new(server);

    public async Task<ServerUsage> StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
            await _sampling;
        }

        var after = ProcStats.Read(_server);
        return new ServerUsage(
            after.Cpu - _before.Cpu,
            Math.Max(0, after.ContextSwitches - _before.ContextSwitches),
            Math.Max(_peakThreads, after.Threads),
            Math.Max(_peakResident, after.ResidentBytes),
            _before.ResidentBytes,
            after.ResidentBytes);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var now = ProcStats.Read(_server);
                _peakThreads = Math.Max(_peakThreads, now.Threads);
                _peakResident = Math.Max(_peakResident, now.ResidentBytes);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }
}
