using System.Net.Sockets;
using System.Text;

namespace ActorHttp.Bench;

/// <summary>
/// Clients that pipeline requests for a 1 MiB file and never read the answers, with a small
/// receive window: the server's answers can only pile up, in the kernel or in the server.
/// </summary>
public sealed class NonReadingAttack(int clients) : SocketAttack(clients, watchesAnswers: false)
{
    /// <summary>ActorHttp's default pipelining limit: every request is taken in, none is answered to the end.</summary>
    private const int PipelinedRequests = 16;

    /// <summary>A small window, as a slow reader's would be; it also keeps the attacker's own kernel memory small.</summary>
    private const int ReceiveWindowBytes = 4096;

    private static readonly byte[] Requests = Encoding.ASCII.GetBytes(
        string.Concat(Enumerable.Repeat("GET /bench/1m.bin HTTP/1.1\r\nHost: bench\r\n\r\n", PipelinedRequests)));

    protected override void Configure(Socket socket) => socket.ReceiveBufferSize = ReceiveWindowBytes;

    protected override async Task BeginAsync(Socket socket, int index, AttackSocket state, CancellationToken token) =>
        await socket.SendAsync(Requests, SocketFlags.None, token);
}
