using System.Net.Sockets;
using System.Text;

namespace ActorHttp.Bench;

/// <summary>
/// Sockets that send the start of a request head that is already invalid, and never finish it: a
/// server can refuse them at once (400) or hold them until its header timeout (408). The sockets
/// take the variants in turn.
/// </summary>
public sealed class InvalidHeadAttack(int sockets) : SocketAttack(sockets, watchesAnswers: true)
{
    /// <summary>Each a request line and one header field, without the empty line that would end the head.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> Variants { get; } =
    [
        ("NUL in the request line", Encoding.ASCII.GetBytes("GET /he\0llo HTTP/1.1\r\nHost: bench\r\n")),
        ("XTTP/1.1", Encoding.ASCII.GetBytes("GET /hello XTTP/1.1\r\nHost: bench\r\n")),
        ("Content-Length: -1", Encoding.ASCII.GetBytes("POST /echo HTTP/1.1\r\nHost: bench\r\nContent-Length: -1\r\n")),
    ];

    protected override string VariantOf(int index) => Variants[index % Variants.Count].Name;

    protected override async Task BeginAsync(Socket socket, int index, AttackSocket state, CancellationToken token) =>
        await socket.SendAsync(Variants[index % Variants.Count].Bytes, SocketFlags.None, token);
}
