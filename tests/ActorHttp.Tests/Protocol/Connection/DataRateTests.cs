using ActorHttp.Protocol;
using ActorHttp.Protocol.Connection;
using static ActorHttp.Tests.Protocol.Connection.CoreDriver;

namespace ActorHttp.Tests.Protocol.Connection;

/// <summary>
/// min-request-body-rate and min-response-data-rate (240 bytes/s after a 5 s grace in
/// <see cref="CoreDriver.Defaults"/>): a client too slow to send its body, or to read its answers,
/// loses the connection; the clock runs only while the client is the one holding things up.
/// </summary>
public sealed class DataRateTests
{
    private const string BodyHead = "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n";

    [Fact]
    public void A_body_trickling_below_the_minimum_rate_gets_408_with_close_after_the_grace()
    {
        var d = new CoreDriver();
        var started = d.Now;
        d.Receive(BodyHead + "0123456789");
        var due = d.Core.NextDeadline;
        Assert.Equal(started + 5_001, due);

        // A byte a second: each far within idle-timeout, but 1 byte/s is far below 240.
        while (d.Now + 1_000 < due)
        {
            d.Advance(1_000);
            d.Receive("x");
            d.CheckDeadlines();
            Assert.Equal(ConnectionState.Open, d.State);
            Assert.Equal(due, d.Core.NextDeadline);
        }

        d.CheckDeadlinesAt(due - 1);
        Assert.Equal(ConnectionState.Open, d.State);
        d.CheckDeadlinesAt(due);

        Assert.Equal(ConnectionState.Finishing, d.State);
        var response = Wire.Single(d.Flush());
        Assert.Equal(408, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.Empty(d.Requests);
    }

    [Fact]
    public void A_body_above_the_minimum_rate_is_read_however_long_it_takes()
    {
        var d = new CoreDriver();
        d.Receive(BodyHead);

        // 300 bytes a second for 33 seconds: over three times the idle timeout, six times the grace.
        for (var sent = 0; sent < 10_000; sent += 300)
        {
            d.Advance(1_000);
            d.Receive(new string('x', Math.Min(300, 10_000 - sent)));
            d.CheckDeadlines();
            Assert.Equal(ConnectionState.Open, d.State);
            Assert.Empty(d.Flush());
        }

        var (request, _) = Assert.Single(d.Requests);
        Assert.Equal(10_000, request.Body.Length);
    }

    [Fact]
    public void A_body_that_begins_in_the_read_completing_the_one_before_gets_its_own_grace()
    {
        var d = new CoreDriver(Defaults with { HandlerTimeout = TimeSpan.FromMinutes(5) });
        d.Receive(BodyHead.Replace("10000", "3000", StringComparison.Ordinal));
        for (var i = 0; i < 9; i++)
        {
            d.Advance(1_000);
            d.Receive(new string('x', 300));
        }

        d.Advance(1_000);
        d.Receive(new string('x', 300) + BodyHead);

        Assert.Single(d.Requests);
        Assert.Equal(d.Now + 5_001, d.Core.NextDeadline);
        d.CheckDeadlinesAt(d.Now + 5_000);
        Assert.Equal(ConnectionState.Open, d.State);
        Assert.Empty(d.Flush());
    }

    [Fact]
    public void A_body_that_begins_in_the_read_ending_a_streamed_one_gets_its_own_grace()
    {
        var d = new CoreDriver(Defaults with { HandlerTimeout = TimeSpan.FromMinutes(5), StreamedBodyLimit = r => r.Path == "/up" ? 10_000 : null });
        d.Receive("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n");
        for (var i = 0; i < 9; i++)
        {
            d.WantBody(0, "reader");
            d.Advance(1_000);
            d.Receive(new string('x', 300));
        }

        d.WantBody(0, "reader");
        d.Advance(1_000);
        d.Receive(new string('x', 300) + BodyHead);
        d.WantBody(0, "reader");

        Assert.Single(d.EventsOf("end"));
        Assert.Equal(d.Now + 5_001, d.Core.NextDeadline);
        d.CheckDeadlinesAt(d.Now + 5_000);
        Assert.Equal(ConnectionState.Open, d.State);
        Assert.Empty(d.Flush());
    }

    [Fact]
    public void The_body_clock_does_not_run_while_the_pipeline_is_full()
    {
        var d = new CoreDriver(Defaults with { PipeliningLimit = 1, HandlerTimeout = TimeSpan.FromMinutes(5) });
        d.Receive(Get("/a") + BodyHead + "abc");
        Assert.Single(d.Requests);

        // The body's bytes wait behind the request in flight: not the client's fault.
        d.CheckDeadlinesAt(d.Now + 60_000);
        Assert.Equal(ConnectionState.Open, d.State);
        Assert.Empty(d.Flush());

        d.Respond(0, "a");
        d.Flush();
        var freed = d.Now;
        Assert.Equal(freed + 5_001, d.Core.NextDeadline);
        d.CheckDeadlinesAt(freed + 5_000);
        Assert.Equal(ConnectionState.Open, d.State);
        Assert.Single(Wire.Responses(d.Output));
        d.CheckDeadlinesAt(freed + 5_001);
        Assert.Equal(408, Wire.Single(d.Flush()).Status);
    }

    [Fact]
    public void The_body_clock_stops_while_answers_over_max_response_buffer_wait_for_the_client()
    {
        var d = new CoreDriver(Defaults with { MaxResponseBuffer = 1000, MinResponseDataRate = MinDataRate.Off, HandlerTimeout = TimeSpan.FromMinutes(5) });
        d.Receive(Get("/big") + BodyHead + "abc");
        var started = d.Now;
        Assert.Equal(started + 5_001, d.Core.NextDeadline);

        d.Advance(1_000);
        d.Respond(0, new string('b', 5000));
        d.TakeOutput();
        Assert.Equal(long.MaxValue, d.Core.NextDeadline);

        // Sixty seconds with the answer unsent: the body's clock has stood still.
        d.CheckDeadlinesAt(d.Now + 60_000);
        Assert.Equal(ConnectionState.Open, d.State);

        d.Sent();
        Assert.Equal(d.Now + 4_001, d.Core.NextDeadline);
        d.CheckDeadlinesAt(d.Now + 4_000);
        Assert.Equal(ConnectionState.Open, d.State);
        Assert.Empty(d.Flush());
    }

    [Fact]
    public void The_body_clock_does_not_run_before_the_100_continue_has_gone_out()
    {
        var d = new CoreDriver(Defaults with { HandlerTimeout = TimeSpan.FromMinutes(5) });
        d.Receive(Get("/a") + "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        Assert.Empty(d.Flush());

        // The client waits for the 100, which waits for the answer ahead: no fault of the client's.
        d.CheckDeadlinesAt(d.Now + 60_000);
        Assert.Equal(ConnectionState.Open, d.State);
        Assert.Empty(d.Flush());

        d.Respond(0, "a");
        var output = d.Flush();
        Assert.EndsWith("HTTP/1.1 100 Continue\r\n\r\n", output, StringComparison.Ordinal);
        var continued = d.Now;
        Assert.Equal(continued + 5_001, d.Core.NextDeadline);

        d.CheckDeadlinesAt(continued + 5_001);
        Assert.Equal(408, Wire.Single(d.Flush()).Status);
    }

    [Fact]
    public void A_client_that_acknowledges_nothing_of_a_stalled_send_is_closed_with_a_reset_after_the_grace()
    {
        var d = new CoreDriver { BytesAcknowledged = 7_000 };
        d.Receive(Get("/big"));
        d.Respond(0, new string('b', 100_000));
        var output = d.TakeOutput();
        var stalled = d.Now;

        d.Core.SendStalled(output.Length, d.Now);

        Assert.Equal(stalled + 5_001, d.Core.NextDeadline);
        d.CheckDeadlinesAt(stalled + 5_000);
        Assert.Equal(ConnectionState.Open, d.State);
        Assert.False(d.Core.ResetOnClose);

        d.CheckDeadlinesAt(stalled + 5_001);
        Assert.Equal(ConnectionState.Closed, d.State);
        Assert.True(d.Core.ResetOnClose);
    }

    [Fact]
    public void A_client_that_acknowledges_enough_of_a_stalled_send_keeps_its_connection()
    {
        var d = new CoreDriver { BytesAcknowledged = 7_000 };
        d.Receive(Get("/big"));
        d.Respond(0, new string('b', 100_000));
        var output = d.TakeOutput();
        var stalled = d.Now;
        d.Core.SendStalled(output.Length, d.Now);

        // 240 bytes/s for 6 s.
        d.BytesAcknowledged = 7_000 + 1_440;
        d.CheckDeadlinesAt(stalled + 5_001);
        Assert.Equal(ConnectionState.Open, d.State);
        Assert.Equal(stalled + 6_001, d.Core.NextDeadline);

        d.BytesAcknowledged = 7_000 + 1_450;
        d.CheckDeadlinesAt(stalled + 6_100);
        Assert.Equal(ConnectionState.Closed, d.State);
        Assert.True(d.Core.ResetOnClose);
    }

    [Fact]
    public void A_stalled_send_that_completes_stops_the_response_clock()
    {
        var d = new CoreDriver { BytesAcknowledged = 0 };
        d.Receive(Get("/big"));
        d.Respond(0, new string('b', 100_000));
        var output = d.TakeOutput();
        d.Core.SendStalled(output.Length, d.Now);

        d.Advance(4_000);
        d.Sent();

        Assert.Equal(d.Now + 10_000, d.Core.NextDeadline);
        d.CheckDeadlinesAt(d.Now + 5_000);
        Assert.Equal(ConnectionState.Open, d.State);
        Assert.False(d.Core.ResetOnClose);
    }

    [Fact]
    public void Without_the_kernels_count_the_pending_bytes_are_credited_whole()
    {
        var d = new CoreDriver { BytesAcknowledged = null };
        d.Receive(Get("/big"));
        d.Respond(0, new string('b', 100_000));
        var output = d.TakeOutput();
        var stalled = d.Now;

        d.Core.SendStalled(output.Length, d.Now);

        // The pending bytes pay for the time the rate allows them: far past the grace.
        var due = stalled + (long)(output.Length / 240.0 * 1000) + 1;
        Assert.Equal(due, d.Core.NextDeadline);
        d.CheckDeadlinesAt(stalled + 5_001);
        Assert.Equal(ConnectionState.Open, d.State);
        d.CheckDeadlinesAt(due - 1);
        Assert.Equal(ConnectionState.Open, d.State);

        d.CheckDeadlinesAt(due);
        Assert.Equal(ConnectionState.Closed, d.State);
        Assert.True(d.Core.ResetOnClose);
    }

    [Fact]
    public void With_the_response_rate_off_a_stalled_send_has_no_deadline()
    {
        var d = new CoreDriver(Defaults with { MinResponseDataRate = MinDataRate.Off }) { BytesAcknowledged = 0 };
        d.Receive(Get("/big"));
        d.Respond(0, new string('b', 100_000));
        var output = d.TakeOutput();

        d.Core.SendStalled(output.Length, d.Now);

        Assert.Equal(long.MaxValue, d.Core.NextDeadline);
        d.CheckDeadlinesAt(d.Now + 3_600_000);
        Assert.Equal(ConnectionState.Open, d.State);
    }
}
