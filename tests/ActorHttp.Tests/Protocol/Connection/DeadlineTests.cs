using ActorHttp.Protocol.Connection;
using static ActorHttp.Tests.Protocol.Connection.CoreDriver;

namespace ActorHttp.Tests.Protocol.Connection;

/// <summary>
/// The idle, request-header and handler deadlines, with the clock in the test's hands: idle 10 s,
/// head 4 s, handler 3 s (<see cref="CoreDriver.Defaults"/>).
/// </summary>
public sealed class DeadlineTests
{
    [Fact]
    public void An_idle_connection_is_answered_408_with_close_at_the_idle_deadline()
    {
        var d = new CoreDriver();
        var due = Start + 10_000;
        Assert.Equal(due, d.Core.NextDeadline);

        d.CheckDeadlinesAt(due - 1);
        Assert.Equal(ConnectionState.Open, d.State);
        Assert.Equal(due, d.Core.NextDeadline);
        Assert.Empty(d.Flush());

        d.CheckDeadlinesAt(due);
        Assert.Equal(ConnectionState.Finishing, d.State);
        var response = Wire.Single(d.Flush());
        Assert.Equal(408, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.Equal(ConnectionState.Lingering, d.State);
        Assert.Empty(d.Requests);
    }

    [Fact]
    public void The_idle_deadline_runs_from_the_last_answer_sent()
    {
        var d = new CoreDriver();
        d.Advance(9_000);
        d.Receive(Get("/a"));
        d.Advance(2_000);
        d.Respond(0, "a");
        d.Flush();

        d.CheckDeadlinesAt(Start + 10_000);
        Assert.Equal(ConnectionState.Open, d.State);
        Assert.Equal(Start + 11_000 + 10_000, d.Core.NextDeadline);

        d.CheckDeadlinesAt(Start + 21_000);
        Assert.Equal(408, Wire.Single(d.Flush()).Status);
    }

    [Fact]
    public void With_idle_answers_408_off_an_idle_connection_closes_without_a_word()
    {
        var d = new CoreDriver(Defaults with { IdleTimeoutAnswers408 = false });

        d.CheckDeadlinesAt(Start + 10_000);

        Assert.Equal(ConnectionState.Closed, d.State);
        Assert.False(d.Core.ResetOnClose);
        Assert.Empty(d.TakeOutput());
    }

    [Fact]
    public void With_idle_answers_408_off_a_head_left_half_sent_still_gets_408()
    {
        var d = new CoreDriver(Defaults with { IdleTimeoutAnswers408 = false, RequestHeaderTimeout = TimeSpan.FromSeconds(60) });
        d.Receive("GET /a HTTP/1.1\r\n");
        Assert.Equal(d.Now + 10_000, d.Core.NextDeadline);

        d.CheckDeadlinesAt(d.Now + 10_000);

        Assert.Equal(408, Wire.Single(d.Flush()).Status);
    }

    [Fact]
    public void A_head_trickling_in_gets_408_at_the_header_deadline_whatever_its_bytes_do_to_the_idle_one()
    {
        var d = new CoreDriver();
        d.Advance(50);
        var started = d.Now;
        d.Receive("GET /a HTTP/1.1\r\nHost: x\r\nX-Slow: ");
        Assert.Equal(started + 4_000, d.Core.NextDeadline);

        // Slowloris: a byte every 100 ms, each well within idle-timeout.
        while (d.Now + 100 < started + 4_000)
        {
            d.Advance(100);
            d.Receive("a");
            d.CheckDeadlines();
            Assert.Equal(ConnectionState.Open, d.State);
            Assert.Equal(started + 4_000, d.Core.NextDeadline);
            Assert.Empty(d.Flush());
        }

        d.CheckDeadlinesAt(started + 4_000);

        Assert.Equal(ConnectionState.Finishing, d.State);
        var response = Wire.Single(d.Flush());
        Assert.Equal(408, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.Empty(d.Requests);
    }

    [Fact]
    public void The_header_deadline_ends_with_the_head_and_starts_again_with_the_next_one()
    {
        var d = new CoreDriver();
        d.Receive("GET /a HTTP/1.1\r\n");
        d.Advance(3_000);
        d.Receive("Host: x\r\n\r\n" + "GET /b HTTP/1.1\r\n");

        Assert.Single(d.Requests);
        // The handler's deadline (3 s from now) comes before the second head's (4 s from now).
        Assert.Equal(d.Now + 3_000, d.Core.NextDeadline);
        d.Respond(0, "a");
        d.Flush();
        Assert.Equal(d.Now + 4_000, d.Core.NextDeadline);

        d.CheckDeadlinesAt(d.Now + 3_999);
        Assert.Equal(ConnectionState.Open, d.State);
    }

    [Fact]
    public void A_handler_that_does_not_answer_gets_503_and_the_connection_lives_on()
    {
        var d = new CoreDriver();
        d.Receive(Get("/never"));
        var due = d.Now + 3_000;
        Assert.Equal(due, d.Core.NextDeadline);

        d.CheckDeadlinesAt(due - 1);
        Assert.Empty(d.Flush());

        d.CheckDeadlinesAt(due);
        var response = Wire.Single(d.Flush());
        Assert.Equal(503, response.Status);
        Assert.Null(response.Header("Connection"));
        Assert.Equal(ConnectionState.Open, d.State);
        Assert.Equal(ReadDemand.WaitForData, d.ReadDemand);

        // The late answer is dropped, and the connection serves the next request.
        d.Advance(500);
        Assert.False(d.Respond(0, "late"));
        Assert.Empty(d.Flush());
        d.Receive(Get("/next"));
        Assert.Equal(1, d.Requests[^1].Sequence);
        d.Respond(1, "next");
        Assert.Equal("next", Wire.Single(d.Flush()).Text());
    }

    [Fact]
    public void An_answer_arriving_after_the_503_was_decided_but_before_it_was_written_is_dropped()
    {
        var d = new CoreDriver();
        d.Receive(Get("/slow"));
        d.CheckDeadlinesAt(d.Now + 3_000);

        Assert.False(d.Respond(0, "late"));

        var response = Wire.Single(d.Flush());
        Assert.Equal(503, response.Status);
        Assert.DoesNotContain("late", response.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public void Each_pipelined_request_has_its_own_handler_deadline()
    {
        var d = new CoreDriver();
        d.Receive(Get("/0"));
        var first = d.Now;
        d.Advance(1_000);
        d.Receive(Get("/1"));
        d.Respond(0, "zero");
        d.Flush();

        Assert.Equal(first + 1_000 + 3_000, d.Core.NextDeadline);
        d.CheckDeadlinesAt(first + 3_000);
        Assert.Empty(d.Flush());
        d.CheckDeadlinesAt(first + 4_000);
        Assert.Equal(503, Wire.Single(d.Flush()).Status);
    }

    [Fact]
    public void The_next_deadline_is_the_earliest_of_those_running()
    {
        var d = new CoreDriver();
        var t0 = d.Now;

        // Handler (t0 + 3 s) before head (t0 + 0.5 s + 4 s).
        d.Receive(Get("/a"));
        d.Advance(500);
        d.Receive("GET /b HTTP/1.1\r\n");
        Assert.Equal(t0 + 3_000, d.Core.NextDeadline);

        // Answered: the head (t0 + 4.5 s) before idle (t0 + 1 s + 10 s).
        d.Advance(500);
        d.Respond(0, "a");
        d.Flush();
        Assert.Equal(t0 + 4_500, d.Core.NextDeadline);

        // The head completes: only the handler's (t0 + 1.2 s + 3 s) is left.
        d.Advance(200);
        d.Receive("Host: x\r\n\r\n");
        Assert.Equal(t0 + 4_200, d.Core.NextDeadline);

        // Answered too: idle from now.
        d.Advance(100);
        d.Respond(1, "b");
        d.Flush();
        Assert.Equal(d.Now + 10_000, d.Core.NextDeadline);
    }

    [Fact]
    public void A_check_before_any_deadline_changes_nothing()
    {
        var d = new CoreDriver();
        d.Receive(Get("/a") + "GET /b HTTP/1.1\r\n");
        var deadline = d.Core.NextDeadline;
        var events = d.Events.Count;

        for (var at = d.Now; at < deadline; at += 250)
        {
            d.CheckDeadlinesAt(at);
            Assert.Equal(ConnectionState.Open, d.State);
            Assert.Equal(deadline, d.Core.NextDeadline);
            Assert.Equal(ReadDemand.Receive, d.ReadDemand);
            Assert.Empty(d.Flush());
        }

        Assert.Equal(events, d.Events.Count);
    }

    [Fact]
    public void No_deadline_is_left_once_closed()
    {
        var d = new CoreDriver(Defaults with { IdleTimeoutAnswers408 = false });
        d.CheckDeadlinesAt(Start + 10_000);
        Assert.Equal(ConnectionState.Closed, d.State);

        d.CheckDeadlinesAt(Start + 100_000);

        Assert.Equal(ConnectionState.Closed, d.State);
        Assert.Empty(d.TakeOutput());
    }
}
