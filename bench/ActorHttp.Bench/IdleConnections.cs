using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ActorHttp.Bench;

/// <summary>What holding many idle keep-alive connections cost a server.</summary>
public sealed record IdleMemoryResult(int Connections, long ResidentBefore, long ResidentAfter)
{
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

    private static async Task<Socket> OpenAsync(int port, CancellationToken token)
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

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
