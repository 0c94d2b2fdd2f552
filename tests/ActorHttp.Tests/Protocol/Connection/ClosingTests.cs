using ActorHttp.Protocol;
using ActorHttp.Protocol.Connection;
using static ActorHttp.Tests.Protocol.Connection.CoreDriver;

namespace ActorHttp.Tests.Protocol.Connection;

/// <summary>
/// The way out: <see cref="ConnectionState.Finishing"/>, <see cref="ConnectionState.ClosingAfterSend"/>,
/// <see cref="ConnectionState.Lingering"/> and <see cref="ConnectionState.Closed"/>, reached by a request
/// that asks to close, the end of the client's input, a refusal or a reclaim.
/// </summary>
public sealed class ClosingTests
{
    [Fact]
    public void A_request_asking_to_close_is_answered_with_close_then_the_connection_lingers_and_ends_with_the_clients_close()
    {
        var d = new CoreDriver();

        d.Receive(Get("/bye", "Connection: close\r\n") + Get("/ignored"));

        Assert.Single(d.Requests);
        Assert.Equal(ConnectionState.Finishing, d.State);
        Assert.Equal(ReadDemand.None, d.ReadDemand);
        Assert.Equal(d.Now + 3_000, d.Core.NextDeadline);

        d.Advance(20);
        d.Respond(0, "bye");
        var output = d.TakeOutput();
        Assert.Equal(ConnectionState.ClosingAfterSend, d.State);
        Assert.Equal("close", Wire.Single(output).Header("Connection"));
        Assert.Equal(ReadDemand.None, d.ReadDemand);
        d.Sent();
        Assert.Equal(ConnectionState.ClosingAfterSend, d.State);

        Assert.Empty(d.TakeOutput());
        Assert.Equal(ConnectionState.Lingering, d.State);
        Assert.Equal(ReadDemand.Receive, d.ReadDemand);
        Assert.Equal(d.Now + 1_000, d.Core.NextDeadline);
        Assert.Equal(0, d.Core.IdleSince);

        // Whatever the client still sends is read and dropped.
        d.Advance(100);
        d.Receive(Get("/late") + "garbage\r\n\r\n");
        Assert.Single(d.Requests);
        Assert.Equal(ConnectionState.Lingering, d.State);
        Assert.Empty(d.TakeOutput());

        d.EndInput();
        Assert.Equal(ConnectionState.Closed, d.State);
        Assert.Equal(ReadDemand.None, d.ReadDemand);
        Assert.Equal(long.MaxValue, d.Core.NextDeadline);
        Assert.False(d.Core.ResetOnClose);
    }

    [Fact]
    public void Lingering_ends_at_the_linger_deadline()
    {
        var d = new CoreDriver();
        d.Receive(Get("/bye", "Connection: close\r\n"));
        d.Respond(0, "bye");
        d.Flush();
        Assert.Equal(ConnectionState.Lingering, d.State);
        var lingerEnds = d.Now + 1_000;
        Assert.Equal(lingerEnds, d.Core.NextDeadline);

        // Bytes read while lingering do not move the deadline.
        d.Advance(500);
        d.Receive("more");
        Assert.Equal(lingerEnds, d.Core.NextDeadline);

        d.CheckDeadlinesAt(lingerEnds - 1);
        Assert.Equal(ConnectionState.Lingering, d.State);

        d.CheckDeadlinesAt(lingerEnds);
        Assert.Equal(ConnectionState.Closed, d.State);
        Assert.False(d.Core.ResetOnClose);
        Assert.Equal(long.MaxValue, d.Core.NextDeadline);
    }

    [Fact]
    public void Answers_pending_when_the_input_ends_are_still_written_the_last_with_close_then_the_connection_closes_without_lingering()
    {
        var d = new CoreDriver();
        d.Receive(Get("/a") + Get("/b"));

        d.EndInput();

        Assert.Equal(ConnectionState.Finishing, d.State);
        Assert.Equal(ReadDemand.None, d.ReadDemand);
        d.Respond(1, "b");
        Assert.Empty(d.Flush());
        d.Respond(0, "a");
        var responses = Wire.Responses(d.Flush());

        Assert.Equal(new[] { "a", "b" }, responses.Select(r => r.Text()));
        Assert.Null(responses[0].Header("Connection"));
        Assert.Equal("close", responses[1].Header("Connection"));
        Assert.Equal(ConnectionState.Closed, d.State);
        Assert.False(d.Core.ResetOnClose);
    }

    [Fact]
    public void The_end_of_input_on_an_idle_connection_closes_it_silently()
    {
        var d = new CoreDriver();

        d.EndInput();

        Assert.Equal(ConnectionState.Finishing, d.State);
        Assert.Empty(d.Flush());
        Assert.Equal(ConnectionState.Closed, d.State);
    }

    [Fact]
    public void The_end_of_input_midway_through_a_head_closes_without_a_request_or_an_answer()
    {
        var d = new CoreDriver();
        d.Receive("GET /half HTTP/1.1\r\nHo");

        d.EndInput();

        Assert.Empty(d.Flush());
        Assert.Empty(d.Requests);
        Assert.Equal(ConnectionState.Closed, d.State);
    }

    [Fact]
    public void A_client_half_close_read_as_the_host_asks_still_gets_every_answer()
    {
        var d = new CoreDriver();
        d.ClientSends(Get("/a") + Get("/b")).ClientEnds();

        d.Pump();

        Assert.Equal(2, d.Requests.Count);
        Assert.Equal(ConnectionState.Finishing, d.State);
        d.Respond(0, "a");
        d.Respond(1, "b");
        Assert.Equal(new[] { "a", "b" }, Wire.Responses(d.Flush()).Select(r => r.Text()));
        Assert.Equal(ConnectionState.Closed, d.State);
    }

    [Fact]
    public void A_refused_connection_sends_the_refusal_with_close_and_reads_no_request()
    {
        var d = new CoreDriver(start: false);

        d.Core.Refuse(HttpResponse.Text(503, "busy").WithHeader("Retry-After", "1"), d.Now);

        Assert.Equal(ConnectionState.Finishing, d.State);
        Assert.Equal(ReadDemand.None, d.ReadDemand);
        var response = Wire.Single(d.Flush());
        Assert.Equal(503, response.Status);
        Assert.Equal("1", response.Header("Retry-After"));
        Assert.Equal("close", response.Header("Connection"));
        Assert.Equal(ConnectionState.Lingering, d.State);
        d.Receive(Get("/a"));
        Assert.Empty(d.Requests);
    }

    [Fact]
    public void An_idle_connection_may_be_reclaimed()
    {
        var d = new CoreDriver();
        d.Receive(Get("/a"));
        d.Respond(0, "a");
        d.Flush();

        Assert.True(d.Core.Reclaim());
        Assert.Equal(ConnectionState.Closed, d.State);
        Assert.Equal(ReadDemand.None, d.ReadDemand);
    }

    [Fact]
    public void A_lingering_connection_may_be_reclaimed()
    {
        var d = new CoreDriver();
        d.Receive(Get("/a", "Connection: close\r\n"));
        d.Respond(0, "a");
        d.Flush();
        Assert.Equal(ConnectionState.Lingering, d.State);
        Assert.False(d.Core.IsIdleBetweenRequests);

        Assert.True(d.Core.Reclaim());
        Assert.Equal(ConnectionState.Closed, d.State);
    }

    [Fact]
    public void A_busy_connection_is_not_reclaimed()
    {
        // A request in flight.
        var inFlight = new CoreDriver();
        inFlight.Receive(Get("/a"));
        Assert.False(inFlight.Core.Reclaim());
        Assert.Equal(ConnectionState.Open, inFlight.State);

        // Part of a head received.
        var partial = new CoreDriver();
        partial.Receive("GET /a HT");
        Assert.False(partial.Core.IsIdleBetweenRequests);
        Assert.False(partial.Core.Reclaim());

        // An answer being sent.
        var sending = new CoreDriver();
        sending.Receive(Get("/a"));
        sending.Respond(0, "a");
        sending.TakeOutput();
        Assert.False(sending.Core.Reclaim());
        sending.Sent();
        Assert.True(sending.Core.Reclaim());
    }

    [Fact]
    public void Release_closes_and_nothing_more_comes_out()
    {
        var d = new CoreDriver();
        d.Receive(Get("/a"));

        d.Core.Release();

        Assert.Equal(ConnectionState.Closed, d.State);
        Assert.False(d.Respond(0, "late"));
        Assert.Empty(d.TakeOutput());
        Assert.Equal(ReadDemand.None, d.ReadDemand);
        Assert.False(d.HoldsReceiveBuffer);
    }
}
