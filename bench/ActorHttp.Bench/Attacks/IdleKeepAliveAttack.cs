using System.Net.Sockets;
using System.Text;

namespace ActorHttp.Bench;

/// <summary>
/// Sockets that each make one complete request, read the answer, and then stay idle: perfectly
/// legal keep-alive connections, thousands of them, that only take up the server's room.
/// </summary>
public sealed class IdleKeepAliveAttack(int sockets) : SocketAttack(sockets, watchesAnswers: true)
{
    private static readonly byte[] Request = Encoding.ASCII.GetBytes("GET /hello HTTP/1.1\r\nHost: bench\r\n\r\n");

    protected override async Task BeginAsync(Socket socket, int index, AttackSocket state, CancellationToken token)
    {
        await socket.SendAsync(Request, SocketFlags.None, token);
        var buffer = new byte[1024];
        var filled = 0;
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, token);
            if (read == 0)
            {
                throw new IOException("the server closed the connection before answering");
            }

            filled += read;
            var response = HttpResponseScanner.Scan(buffer.AsSpan(0, filled));
            if (response.IsComplete || filled == buffer.Length)
            {
                // A server that is full answers the newcomer and closes it (ActorHttp: 503 above
                // max-connections); that socket never became an idle connection.
                if (response.Closes)
                {
                    state.Status = response.Status;
                    state.SecondsToAnswer = 0;
                    state.SecondsToClose = 0;
                }

                return;
            }
        }
    }
}
