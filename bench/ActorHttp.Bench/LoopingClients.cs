using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ActorHttp.Bench;

/// <summary>What one client connection loop counted. Every attempt ends in exactly one of the counters.</summary>
public sealed class ClientTally
{
    public long Successes { get; set; }

    /// <summary>Answers with a status of 400 or more.</summary>
    public long ErrorStatuses { get; set; }

    /// <summary>Connections refused, reset or not established within the request timeout.</summary>
    public long ConnectErrors { get; set; }

    /// <summary>Requests sent on an open connection and not answered within the request timeout.</summary>
    public long Timeouts { get; set; }

    /// <summary>Connections closed or reset by the server before the answer came.</summary>
    public long Closed { get; set; }

    /// <summary>Successes that came before the end of the measured window (the rest only count in the success rate).</summary>
    public long SuccessesInWindow { get; set; }

    /// <summary>Requests still unanswered when the caller cancelled the loop: neither a success nor a failure, so in no other counter.</summary>
    public long Unfinished { get; set; }

    public Dictionary<int, long> Statuses { get; } = [];

    /// <summary>Milliseconds from sending a request to its complete answer, for every answer whatever its status.</summary>
    public List<double> LatenciesMs { get; } = [];
}

/// <summary>What a group of looping clients saw over one measured window.</summary>
public sealed record LoopResult(
    double WindowSeconds,
    long Successes,
    long ErrorStatuses,
    long ConnectErrors,
    long Timeouts,
    long Closed,
    long SuccessesInWindow,
    IReadOnlyDictionary<int, long> Statuses,
    double P50Ms,
    double P99Ms)
{
    public long Attempts => Successes + ErrorStatuses + ConnectErrors + Timeouts + Closed;

    /// <summary>The 99.9th percentile of the latencies; NaN when there are none.</summary>
    public double P999Ms { get; init; } = double.NaN;

    /// <summary>Requests cut off unanswered by the caller's cancellation (not in <see cref="Attempts"/>).</summary>
    public long Unfinished { get; init; }

    /// <summary>Non-error answers over attempts; a refused connection or a timeout is a failed attempt. NaN without attempts.</summary>
    public double SuccessRate => Attempts == 0 ? double.NaN : (double)Successes / Attempts;

    /// <summary>Non-error answers per second of the window.</summary>
    public double RequestsPerSecond => WindowSeconds > 0 ? SuccessesInWindow / WindowSeconds : double.NaN;

    public static LoopResult Combine(TimeSpan window, IReadOnlyCollection<ClientTally> tallies)
    {
        var latencies = tallies.SelectMany(t => t.LatenciesMs).Order().ToArray();
        var statuses = new SortedDictionary<int, long>();
        foreach (var (status, count) in tallies.SelectMany(t => t.Statuses))
        {
            statuses[status] = statuses.GetValueOrDefault(status) + count;
        }

        return new LoopResult(
            window.TotalSeconds,
            tallies.Sum(t => t.Successes),
            tallies.Sum(t => t.ErrorStatuses),
            tallies.Sum(t => t.ConnectErrors),
            tallies.Sum(t => t.Timeouts),
            tallies.Sum(t => t.Closed),
            tallies.Sum(t => t.SuccessesInWindow),
            statuses,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99))
        {
            P999Ms = Percentile(latencies, 0.999),
            Unfinished = tallies.Sum(t => t.Unfinished),
        };
    }

    /// <summary>The nearest-rank percentile of sorted values; NaN when there are none.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double fraction) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Count) - 1, 0, sorted.Count - 1)];
}

/// <summary>
/// Clients that each send a GET, wait for its answer, and send the next, over keep-alive
/// connections on raw sockets. They are the attack benchmark's "normal clients" (wrk cannot count a
/// connection that never gets an answer, so it would hide exactly the failures an attack causes),
/// and, with one connection, the crash attack's client.
/// </summary>
public static class LoopingClients
{
    /// <summary>A request without an answer after this long is a timeout; so is a connection not established by then.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Real clients come and go, so each connection is replaced after this many requests: an attack
    /// that stops a server accepting hurts newcomers, which a client holding one connection for the
    /// whole run would never see.
    /// </summary>
    private const int RequestsPerConnection = 100;

    /// <summary>A client whose attempt failed waits this long before the next, as a browser does not retry in a tight loop.</summary>
    private static readonly TimeSpan PauseAfterFailure = TimeSpan.FromMilliseconds(100);

    public static async Task<LoopResult> RunAsync(int port, string path, int connections, TimeSpan window) =>
        (await RunMixAsync(port, [path], connections, window))[path];

    /// <summary>
    /// Like <see cref="RunAsync"/>, but each connection's requests take the paths of
    /// <paramref name="mix"/> in turn (connection i starts at entry i), so a path listed once in ten
    /// entries is a tenth of the requests; what each distinct path got is counted apart. A request
    /// without an answer after <paramref name="requestTimeout"/> (default <see cref="RequestTimeout"/>)
    /// is a timeout. <paramref name="cancellation"/> ends the loops early, in-flight requests counted as timeouts.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, LoopResult>> RunMixAsync(
        int port,
        IReadOnlyList<string> mix,
        int connections,
        TimeSpan window,
        TimeSpan? requestTimeout = null,
        CancellationToken cancellation = default)
    {
        var paths = mix.Distinct().ToList();
        var requests = paths.Select(path => Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n")).ToArray();
        var order = mix.Select(path => paths.IndexOf(path)).ToArray();
        var clock = Stopwatch.StartNew();
        var tallies = await Task.WhenAll(Enumerable.Range(0, connections).Select(connection =>
            Task.Run(() => LoopAsync(port, requests, order, connection, clock, window, requestTimeout ?? RequestTimeout, cancellation))));
        return paths.Select((path, p) => (path, LoopResult.Combine(window, tallies.Select(t => t[p]).ToList())))
            .ToDictionary(pair => pair.path, pair => pair.Item2);
    }

    private static async Task<ClientTally[]> LoopAsync(int port, byte[][] requests, int[] order, int connection, Stopwatch clock, TimeSpan window, TimeSpan requestTimeout, CancellationToken cancellation)
    {
        var tallies = requests.Select(_ => new ClientTally()).ToArray();
        var endpoint = new IPEndPoint(IPAddress.Loopback, port);
        var buffer = new byte[16 * 1024];
        Socket? socket = null;
        var requestsOnConnection = 0;
        var next = connection;
        var timeout = new CancellationTokenSource();
        try
        {
            while (clock.Elapsed < window && !cancellation.IsCancellationRequested)
            {
                if (!timeout.TryReset())
                {
                    timeout.Dispose();
                    timeout = new CancellationTokenSource();
                }

                timeout.CancelAfter(requestTimeout);
                using var linked = cancellation.Register(timeout.Cancel);
                var which = order[next++ % order.Length];
                var tally = tallies[which];
                var connecting = socket is null;
                try
                {
                    if (socket is null)
                    {
                        socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                        await socket.ConnectAsync(endpoint, timeout.Token);
                        requestsOnConnection = 0;
                        connecting = false;
                    }

                    var sent = clock.Elapsed;
                    await socket.SendAsync(requests[which], SocketFlags.None, timeout.Token);
                    (buffer, var response) = await ReadResponseAsync(socket, buffer, timeout.Token);
                    var answered = clock.Elapsed;
                    tally.LatenciesMs.Add((answered - sent).TotalMilliseconds);
                    tally.Statuses[response.Status] = tally.Statuses.GetValueOrDefault(response.Status) + 1;
                    if (response.Status < 400)
                    {
                        tally.Successes++;
                        tally.SuccessesInWindow += answered < window ? 1 : 0;
                    }
                    else
                    {
                        tally.ErrorStatuses++;
                    }

                    if (response.Closes || ++requestsOnConnection >= RequestsPerConnection)
                    {
                        socket.Dispose();
                        socket = null;
                    }

                    continue;
                }
                catch (Exception error) when (error is OperationCanceledException or SocketException or IOException)
                {
                    if (cancellation.IsCancellationRequested)
                    {
                        tally.Unfinished++;
                    }
                    else if (connecting)
                    {
                        tally.ConnectErrors++;
                    }
                    else if (error is OperationCanceledException)
                    {
                        tally.Timeouts++;
                    }
                    else
                    {
                        tally.Closed++;
                    }
                }

                socket?.Dispose();
                socket = null;
                if (!cancellation.IsCancellationRequested)
                {
                    await Task.Delay(PauseAfterFailure, CancellationToken.None);
                }
            }
        }
        finally
        {
            socket?.Dispose();
            timeout.Dispose();
        }

        return tallies;
    }

    /// <summary>
    /// Reads until one whole response is in the buffer (growing it when needed). Requests are not
    /// pipelined, so nothing follows the response. A server that closes after a complete head
    /// (a body that runs to the close, or an error answer cut short) has answered.
    /// </summary>
    public static async Task<(byte[] Buffer, ScannedResponse Response)> ReadResponseAsync(Socket socket, byte[] buffer, CancellationToken token)
    {
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, token);
            var scanned = HttpResponseScanner.Scan(buffer.AsSpan(0, filled + read));
            if (read == 0)
            {
                return scanned.Status > 0
                    ? (buffer, scanned with { Closes = true })
                    : throw new IOException("the server closed the connection before answering");
            }

            filled += read;
            if (scanned.IsComplete)
            {
                return (buffer, scanned);
            }
        }
    }
}
