namespace ActorHttp.Bench.Tests;

public sealed class WrkOutputParserTests
{
    // Real wrk 4.1 output from this machine (plain run with --latency).
    private const string PlainRun = """
        Running 10s test @ http://127.0.0.1:5002/hello
          2 threads and 64 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency   682.31us  412.06us  12.85ms   88.93%
            Req/Sec    42.01k     3.11k   48.90k    71.50%
          Latency Distribution
             50%  617.00us
             75%  802.00us
             90%    1.06ms
             99%    3.01ms
          836114 requests in 10.00s, 118.81MB read
        Requests/sec:  83592.42
        Transfer/sec:     11.88MB
        """;

    // A run with errors: wrk prints both lines only when there were any.
    private const string RunWithErrors = """
        Running 3s test @ http://127.0.0.1:18080/hello
          2 threads and 1024 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency    12.31ms    4.06ms   1.20s    91.93%
            Req/Sec    40.01k     3.11k   48.90k    71.50%
          Latency Distribution
             50%   11.50ms
             75%   13.02ms
             90%   15.06ms
             99%    1.02s
          240114 requests in 3.00s, 34.12MB read
          Socket errors: connect 17, read 3, write 0, timeout 41
          Non-2xx or 3xx responses: 12
        Requests/sec:  80038.00
        Transfer/sec:     11.37MB
        """;

    [Fact]
    public void Reads_throughput_count_and_percentiles_in_milliseconds()
    {
        var result = WrkOutputParser.Parse(PlainRun);

        Assert.Equal(83592.42, result.RequestsPerSecond);
        Assert.Equal(836114, result.Requests);
        Assert.Equal(0.617, result.P50Ms, 6);
        Assert.Equal(3.01, result.P99Ms, 6);
        Assert.Equal(0, result.SocketErrors);
        Assert.Equal(0, result.Non2xx);
    }

    [Fact]
    public void Reports_every_kind_of_error_and_second_latencies()
    {
        var result = WrkOutputParser.Parse(RunWithErrors);

        Assert.Equal(17, result.ConnectErrors);
        Assert.Equal(3, result.ReadErrors);
        Assert.Equal(0, result.WriteErrors);
        Assert.Equal(41, result.Timeouts);
        Assert.Equal(61, result.SocketErrors);
        Assert.Equal(12, result.Non2xx);
        Assert.Equal(1020, result.P99Ms, 6);
        Assert.Equal(11.5, result.P50Ms, 6);
    }

    [Fact]
    public void Output_without_a_throughput_line_is_an_error_not_a_zero()
    {
        var error = Assert.Throws<FormatException>(() => WrkOutputParser.Parse("unable to connect to 127.0.0.1:1 Connection refused"));
        Assert.Contains("Requests/sec", error.Message);
    }
}
