using System.Globalization;

namespace ActorHttp.Bench;

/// <summary>
/// Counts the connections a server still holds, from the kernel's table (/proc/net/tcp), so the
/// count is the same for every server and needs no help from the attacker: a connection the
/// server has closed leaves ESTABLISHED on its side at once, even if the attacker never reads.
/// </summary>
public static class TcpTable
{
    /// <summary>The kernel's code for ESTABLISHED in the <c>st</c> column.</summary>
    private const string Established = "01";

    public static int CountEstablished(int localPort) => CountEstablished(File.ReadLines("/proc/net/tcp"), localPort);

    /// <summary>Lines such as <c>0: 0100007F:46A0 0100007F:9C40 01 …</c>: local address:port (hex), remote, state.</summary>
    public static int CountEstablished(IEnumerable<string> procNetTcp, int localPort) =>
        procNetTcp.Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Count(fields => fields.Length > 3 && fields[3] == Established && PortOf(fields[1]) == localPort);

    private static int PortOf(string addressAndPort) =>
        int.Parse(addressAndPort.AsSpan(addressAndPort.IndexOf(':') + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
