using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using ActorHttp.Bench;

namespace ActorHttp.Study;

/// <summary>
/// When each request of an open-loop run is due: request i at i / rate seconds from the start,
/// whatever the answers do. Latency is measured from this time, not from when the request could
/// be sent, so a server that stalls is charged for every request it kept waiting (the correction
/// for coordinated omission that wrk2 and vegeta make).
/// </summary>
public sealed record OpenLoopSchedule(double Rate, TimeSpan Duration)
{
    public long Count => (long)Math.Floor(Rate * Duration.TotalSeconds);

    public TimeSpan Due(long index) => TimeSpan.FromSeconds(index / Rate);

    /// <summary>How many requests are due by <paramref name="elapsed"/> (those with index below it).</summary>
    public long DueBy(TimeSpan elapsed) => Math.Min(Count, (long)Math.Floor(elapsed.TotalSeconds * Rate) + 1);

    /// <summary>A request's latency: from when it was due to when its answer was complete.</summary>
    public double LatencyMs(long index, TimeSpan answered) => (answered - Due(index)).TotalMilliseconds;
}

/// <summary>What an open-loop run saw. Every scheduled request ends in exactly one of the counts.</summary>
public sealed record OpenLoopResult(
    OpenLoopSchedule Schedule,
    long Successes,
    long ErrorStatuses,
    long Failed,
    long Unsent,
    int ConnectionsOpened,
    IReadOnlyList<double> SortedLatenciesMs,
    double P99SendLagMs)
{
    /// <summary>Percentiles the report and the latency-distribution chart show.</summary>
    public static IReadOnlyList<double> ReportedPercentiles { get; } = [50, 75, 90, 99, 99.9, 99.99, 100];

    public double Percentile(double percent) => LoopResult.Percentile(SortedLatenciesMs, percent / 100);

    public double SuccessfulPerSecond => Successes / Schedule.Duration.TotalSeconds;

    /// <summary>Scheduled requests not answered below 400: refused, failed, timed out or never sent.</summary>
    public double ShedFraction => Schedule.Count == 0 ? double.NaN : (double)(ErrorStatuses + Failed + Unsent) / Schedule.Count;

    public Sample ToSample(string server, string scenario, string? step, ServerUsage usage)
    {
        var row = new StudyRow
        {
            Server = server,
            Scenario = scenario,
            Step = step,
            Rps = StudyRow.Figure(SuccessfulPerSecond, 1),
            P50Ms = StudyRow.Figure(Percentile(50)),
            P99Ms = StudyRow.Figure(Percentile(99)),
            P999Ms = StudyRow.Figure(Percentile(99.9)),
            CpuUsPerRequest = StudyRow.Figure(usage.CpuMicrosecondsPer(Successes + ErrorStatuses), 2),
            Threads = usage.PeakThreads,
            RssMb = StudyRow.Figure(usage.PeakResidentBytes / 1048576.0, 1),
            Errors = Failed + Unsent,
            Non2xx = ErrorStatuses,
        };
        var observations = new List<Observation>
        {
            new(server, scenario, step, "offered_rps", Schedule.Rate),
            new(server, scenario, step, "scheduled", Schedule.Count),
            new(server, scenario, step, "unsent", Unsent),
            new(server, scenario, step, "shed_fraction", StudyRow.Figure(ShedFraction, 4)),
            new(server, scenario, step, "connections_opened", ConnectionsOpened),
            new(server, scenario, step, "generator_p99_send_lag_ms", StudyRow.Figure(P99SendLagMs)),
            new(server, scenario, step, "context_switches_per_request", StudyRow.Figure(usage.ContextSwitchesPer(Successes + ErrorStatuses), 3)),
            new(server, scenario, step, "rss_before_mb", StudyRow.Figure(usage.ResidentBefore / 1048576.0, 1)),
            new(server, scenario, step, "rss_after_mb", StudyRow.Figure(usage.ResidentAfter / 1048576.0, 1)),
        };
        observations.AddRange(ReportedPercentiles.Select(p => new Observation(server, scenario, step, LatencyName(p), StudyRow.Figure(Percentile(p)))));
        return new Sample([row], observations);
    }

    public static string LatencyName(double percentile) =>
        "latency_ms_p" + percentile.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// The study's open-loop load generator (no package on this machine's registries does it for .NET):
/// requests are released on <see cref="OpenLoopSchedule"/>; each goes out on an idle keep-alive
/// connection, a new one is opened when none is idle (up to a maximum, as vegeta does), and past the
/// maximum it waits for one, its wait counted in its latency. Answers are read with the bench's
/// <see cref="LoopingClients.ReadResponseAsync"/>. Bounded: nothing is sent after the schedule ends,
/// and whatever is unanswered a grace period later counts as failed or unsent.
/// </summary>
public static class OpenLoopGenerator
{
    public static async Task<OpenLoopResult> RunAsync(int port, string path, OpenLoopSchedule schedule, int maxConnections, TimeSpan grace, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
        var due = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var clock = Stopwatch.StartNew();
        var state = new RunState(schedule, clock);
        var workers = new List<Task>();

        // The dispatcher: releases every request that is due, about once a millisecond, and starts a
        // connection whenever requests wait and every open one is busy.
        long released = 0;
        while (released < schedule.Count && !cancellationToken.IsCancellationRequested)
        {
            var now = schedule.DueBy(clock.Elapsed);
            for (; released < now; released++)
            {
                due.Writer.TryWrite(released);
            }

            if (due.Reader.Count > 0 && Volatile.Read(ref state.Idle) == 0 && workers.Count < maxConnections)
            {
                Interlocked.Increment(ref state.Idle);
                workers.Add(Task.Run(() => WorkerAsync(port, request, due.Reader, state, requestTimeout, stop.Token)));
            }

            var next = schedule.Due(released) - clock.Elapsed;
            if (next > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(next < TimeSpan.FromMilliseconds(5) ? next : TimeSpan.FromMilliseconds(5), cancellationToken);
            }
            else if (due.Reader.Count > 0 && workers.Count < maxConnections)
            {
                await Task.Yield();
            }
            else
            {
                await Task.Delay(1, cancellationToken);
            }
        }

        due.Writer.Complete();
        var waited = Task.WhenAll(workers);
        await Task.WhenAny(waited, Task.Delay(schedule.Duration - clock.Elapsed + grace, cancellationToken));
        await stop.CancelAsync();
        await waited;
        var unsent = 0L;
        while (due.Reader.TryRead(out _))
        {
            unsent++;
        }

        var latencies = state.Latencies.ToArray();
        Array.Sort(latencies);
        var lags = state.SendLags.ToArray();
        Array.Sort(lags);
        return new OpenLoopResult(schedule, state.Successes, state.ErrorStatuses, state.Failed + (schedule.Count - released), unsent, workers.Count, latencies, LoopResult.Percentile(lags, 0.99));
    }

    private sealed class RunState(OpenLoopSchedule schedule, Stopwatch clock)
    {
        public int Idle;
        public long Successes;
        public long ErrorStatuses;
        public long Failed;
        public readonly System.Collections.Concurrent.ConcurrentBag<double> Latencies = [];
        public readonly System.Collections.Concurrent.ConcurrentBag<double> SendLags = [];

        public OpenLoopSchedule Schedule => schedule;

        public TimeSpan Now => clock.Elapsed;
    }

    private static async Task WorkerAsync(int port, byte[] request, ChannelReader<long> due, RunState state, TimeSpan requestTimeout, CancellationToken stop)
    {
        var buffer = new byte[16 * 1024];
        Socket? socket = null;
        try
        {
            while (true)
            {
                long index;
                try
                {
                    if (!await due.WaitToReadAsync(stop) || !due.TryRead(out index))
                    {
                        if (due.Completion.IsCompleted)
                        {
                            return;
                        }

                        continue;
                    }
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                Interlocked.Decrement(ref state.Idle);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                timeout.CancelAfter(requestTimeout);
                try
                {
                    if (socket is null)
                    {
                        socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
                    }

                    state.SendLags.Add((state.Now - state.Schedule.Due(index)).TotalMilliseconds);
                    await socket.SendAsync(request, SocketFlags.None, timeout.Token);
                    (buffer, var response) = await LoopingClients.ReadResponseAsync(socket, buffer, timeout.Token);
                    state.Latencies.Add(state.Schedule.LatencyMs(index, state.Now));
                    if (response.Status < 400)
                    {
                        Interlocked.Increment(ref state.Successes);
                    }
                    else
                    {
                        Interlocked.Increment(ref state.ErrorStatuses);
                    }

                    if (response.Closes)
                    {
                        socket.Dispose();
                        socket = null;
                    }
                }
                catch (Exception error) when (error is OperationCanceledException or SocketException or IOException)
                {
                    Interlocked.Increment(ref state.Failed);
                    socket?.Dispose();
                    socket = null;
                }

                Interlocked.Increment(ref state.Idle);
            }
        }
        finally
        {
            socket?.Dispose();
        }
    }
}
