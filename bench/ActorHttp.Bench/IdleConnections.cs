using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ActorHttp.Bench;

/// <summary>What holding many idle keep-alive connections cost a server.</summary>
public sealed record IdleMemoryResult(int Connections, long ResidentBefore, long ResidentAfter)
{
    /// <summary>Connections asked for that the server refused, closed or left unanswered (only counted by <see cref="IdleConnections.HoldAsync"/>).</summary>
    public int Failed { get; init; }

    /// <summary>The server's threads while the connections were held; 0 when not read.</summary>
    public int ThreadsAfter { get; init; }

    public double BytesPerConnection => Connections == 0 ? double.NaN : (double)(ResidentAfter - ResidentBefore) / Connections;
}

/// <summary>
/// Opens connections to a server, makes one request on each so it is a real keep-alive connection,
/// then holds them idle while the server's memory is read. Bounded in count and in time.
/// </summary>
public static class IdleConnections
{
    private static readonly byte[] Request = Encoding.ASCII.GetBytes("GET /hello HTTP/1.1\r\nHost: bench\r\n\r\n");

    public static async Task<IdleMemoryResult> MeasureAsync(ServerProcess server, int count, TimeSpan settle)
    {
        var before = server.ResidentBytes();
        var sockets = new List<Socket>(count);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            // Small batches: a burst of thousands of SYNs at once overflows the listen backlog.
            for (var opened = 0; opened < count; opened += 100)
            {
                var batch = Enumerable.Range(0, Math.Min(100, count - opened)).Select(_ => OpenAsync(server.Port, deadline.Token));
                sockets.AddRange(await Task.WhenAll(batch));
            }

            await Task.Delay(settle);
            return new IdleMemoryResult(sockets.Count, before, server.ResidentBytes());
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>
    /// Like <see cref="MeasureAsync"/>, for servers that may refuse some of the connections (a
    /// bounded worker pool answers 503, or queues them unanswered): a connection that is refused,
    /// closed, or not answered within <paramref name="perConnection"/> is counted in
    /// <see cref="IdleMemoryResult.Failed"/> instead of ending the measurement; the rest are held.
    /// </summary>
    public static async Task<IdleMemoryResult> HoldAsync(ServerProcess server, int count, TimeSpan settle, TimeSpan perConnection, Func<int>? threads = null)
    {
        var before = server.ResidentBytes();
        var sockets = new List<Socket>(count);
        var failed = 0;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            for (var opened = 0; opened < count && !deadline.IsCancellationRequested; opened += 100)
            {
                var batch = await Task.WhenAll(Enumerable.Range(0, Math.Min(100, count - opened)).Select(async _ =>
                {
                    using var one = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
                    one.CancelAfter(perConnection);
                    try
                    {
                        return await OpenAsync(server.Port, one.Token, refuseErrorStatus: true);
                    }
                    catch (Exception error) when (error is OperationCanceledException or System.Net.Sockets.SocketException or IOException)
                    {
                        return null;
                    }
                }));
                sockets.AddRange(batch.OfType<Socket>());
                failed += batch.Count(socket => socket is null);
            }

            await Task.Delay(settle);
            return new IdleMemoryResult(sockets.Count, before, server.ResidentBytes()) { Failed = failed, ThreadsAfter = threads?.Invoke() ?? 0 };
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    /// <param name="refuseErrorStatus">Whether an answer of 400 or more (a 503 from a full worker pool) fails the connection instead of counting it as held.</param>
    private static async Task<Socket> OpenAsync(int port, CancellationToken token, bool refuseErrorStatus = false)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), token);
            await socket.SendAsync(Request, SocketFlags.None, token);
            var buffer = new byte[4096];
            var received = new StringBuilder();
            while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, token);
                if (read == 0)
                {
                    throw new IOException("the server closed an idle-test connection");
                }

                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            if (refuseErrorStatus && HttpResponseScanner.StatusOfFirstLine(Encoding.ASCII.GetBytes(received.ToString())) is >= 400)
            {
                throw new IOException("the server refused an idle-test connection");
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
