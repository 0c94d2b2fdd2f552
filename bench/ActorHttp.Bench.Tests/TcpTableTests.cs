namespace ActorHttp.Bench.Tests;

public sealed class TcpTableTests
{
    // /proc/net/tcp from this machine, trimmed: a listener on 18080 (0x46A0), two connections the
    // server holds (state 01), one it has closed (FIN_WAIT2, 05), and the clients' own ends.
    private static readonly string[] Table =
    [
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
        "   0: 0100007F:46A0 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0",
        "   1: 0100007F:46A0 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 1002 1 0000000000000000 20 4 30 10 -1",
        "   2: 0100007F:46A0 0100007F:9C41 01 00000000:00000000 00:00000000 00000000     0        0 1003 1 0000000000000000 20 4 30 10 -1",
        "   3: 0100007F:46A0 0100007F:9C42 05 00000000:00000000 00:00000000 00000000     0        0 1004 1 0000000000000000 20 4 30 10 -1",
        "   4: 0100007F:9C40 0100007F:46A0 01 00000000:00000000 00:00000000 00000000     0        0 1005 1 0000000000000000 20 4 30 10 -1",
        "   5: 0100007F:9C42 0100007F:46A0 08 00000000:00000000 00:00000000 00000000     0        0 1006 1 0000000000000000 20 4 30 10 -1",
    ];

    [Fact]
    public void Counts_the_established_connections_on_the_servers_side_only()
    {
        Assert.Equal(2, TcpTable.CountEstablished(Table, 18080));
        Assert.Equal(1, TcpTable.CountEstablished(Table, 0x9C40));
        Assert.Equal(0, TcpTable.CountEstablished(Table, 18081));
    }
}
