using ActorHttp.Protocol.Connection;
using static ActorHttp.Tests.Protocol.Connection.CoreDriver;

namespace ActorHttp.Tests.Protocol.Connection;

/// <summary><see cref="ConnectionState.Draining"/>: the server shuts down; what the client has sent is still answered, the last answer saying close.</summary>
public sealed class DrainTests
{
    [Fact]
    public void An_idle_connection_stops_reading_at_once_and_lingers_after_its_output_is_taken()
    {
        var d = new CoreDriver();

        d.Core.Drain(d.Now);

        Assert.Equal(ConnectionState.Finishing, d.State);
        Assert.Equal(ReadDemand.None, d.ReadDemand);
        Assert.Empty(d.TakeOutput());
        Assert.Equal(ConnectionState.Lingering, d.State);
        Assert.Empty(d.Output);
    }

    [Fact]
    public void The_answer_to_a_request_in_flight_says_close()
    {
        var d = new CoreDriver();
        d.Receive(Get("/slow"));

        d.Core.Drain(d.Now);

        Assert.Equal(ConnectionState.Finishing, d.State);
        d.Respond(0, "done");
        var response = Wire.Single(d.Flush());
        Assert.Equal("done", response.Text());
        Assert.Equal("close", response.Header("Connection"));
        Assert.Equal(ConnectionState.Lingering, d.State);
    }

    [Fact]
    public void Bytes_waiting_in_the_kernel_are_still_read_and_answered_before_reading_stops()
    {
        var d = new CoreDriver();
        d.ClientSends(Get("/a"));

        d.Core.Drain(d.Now);

        Assert.Equal(ConnectionState.Draining, d.State);
        Assert.Equal(ReadDemand.WaitForData, d.ReadDemand);
        d.Pump();
        Assert.Equal("/a", Assert.Single(d.Requests).Request.Path);

        // More arrives while the first is answered: the connection reads on.
        d.ClientSends(Get("/b"));
        d.Respond(0, "a");
        Assert.Equal(ConnectionState.Draining, d.State);
        var first = Wire.Single(d.Flush());
        Assert.Null(first.Header("Connection"));

        d.Pump();
        Assert.Equal(2, d.Requests.Count);
        d.Respond(1, "b");
        Assert.Equal(ConnectionState.Finishing, d.State);
        var last = Wire.Single(d.Flush());
        Assert.Equal("b", last.Text());
        Assert.Equal("close", last.Header("Connection"));
        Assert.Equal(ConnectionState.Lingering, d.State);
    }

    [Fact]
    public void A_head_partly_received_is_read_to_its_end_and_answered()
    {
        var d = new CoreDriver();
        d.Receive("GET /a HTTP/1.1\r\n");

        d.Core.Drain(d.Now);

        Assert.Equal(ConnectionState.Draining, d.State);
        Assert.Equal(ReadDemand.Receive, d.ReadDemand);
        d.Receive("Host: x\r\n\r\n");
        Assert.Single(d.Requests);
        d.Respond(0, "a");
        Assert.Equal("close", Wire.Single(d.Flush()).Header("Connection"));
    }

    [Fact]
    public void Draining_a_connection_already_finishing_changes_nothing()
    {
        var d = new CoreDriver();
        d.Receive(Get("/a", "Connection: close\r\n"));

        d.Core.Drain(d.Now);

        Assert.Equal(ConnectionState.Finishing, d.State);
        d.Respond(0, "a");
        Assert.Equal("close", Wire.Single(d.Flush()).Header("Connection"));
        d.Core.Drain(d.Now);
        Assert.Equal(ConnectionState.Lingering, d.State);
    }
}
