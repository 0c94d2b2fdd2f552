using ActorHttp.Protocol;
using ActorHttp.Protocol.Connection;
using static ActorHttp.Tests.Protocol.Connection.CoreDriver;

namespace ActorHttp.Tests.Protocol.Connection;

/// <summary>
/// A route that reads its body as a stream (<see cref="ConnectionSettings.StreamedBodyLimit"/>): the
/// head goes to the handler at once, and each body piece only when its reader asks for it.
/// </summary>
public sealed class StreamedRequestBodyTests
{
    private const string Reader = "reader";

    private static readonly ConnectionSettings Settings = Defaults with
    {
        StreamedBodyLimit = request => request.Path == "/up" ? 1_000_000 : null,
    };

    private static string Upload(int length) => $"POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n";

    [Fact]
    public void The_head_comes_first_and_each_piece_of_the_body_when_the_reader_asks_then_its_end()
    {
        var d = new CoreDriver(Settings);

        d.Receive(Upload(6) + "abc");

        var (request, sequence) = Assert.Single(d.Requests);
        Assert.True(request.BodyStreamed);
        Assert.Equal(0, sequence);
        Assert.Empty(d.EventsOf("piece"));
        Assert.Equal(ReadDemand.None, d.ReadDemand);

        Assert.True(d.WantBody(0, Reader));
        Assert.Equal(new[] { "piece reader 0 abc" }, d.EventsOf("piece"));
        Assert.Equal(ReadDemand.Receive, d.ReadDemand);

        // Read ahead once, then held until the reader asks again.
        d.Receive("def");
        Assert.Single(d.EventsOf("piece"));
        Assert.Equal(ReadDemand.None, d.ReadDemand);

        Assert.True(d.WantBody(0, Reader));
        Assert.Equal("piece reader 0 def", d.EventsOf("piece")[^1]);
        Assert.Empty(d.EventsOf("end"));

        Assert.True(d.WantBody(0, Reader));
        Assert.Equal(new[] { "end reader 0" }, d.EventsOf("end"));
        Assert.Equal(ReadDemand.WaitForData, d.ReadDemand);

        d.Respond(0, HttpResponse.Text(201, "stored"), Reader);
        var response = Wire.Single(d.Flush());
        Assert.Equal(201, response.Status);
        Assert.Null(response.Header("Connection"));
        Assert.Equal(ConnectionState.Open, d.State);
        Assert.Empty(d.EventsOf("aborted"));
    }

    [Fact]
    public void A_request_behind_a_streamed_body_is_parsed_once_the_body_has_been_read()
    {
        var d = new CoreDriver(Settings);

        d.Receive(Upload(3) + "abc" + Get("/after"));
        Assert.Single(d.Requests);

        d.WantBody(0, Reader);
        Assert.Single(d.Requests);
        d.WantBody(0, Reader);

        Assert.Equal(new[] { "/up", "/after" }, d.Requests.Select(r => r.Request.Path));
        Assert.Equal(1, d.Requests[1].Sequence);
    }

    [Fact]
    public void Want_body_for_a_request_without_a_streamed_body_is_refused()
    {
        var d = new CoreDriver(Settings);
        Assert.False(d.WantBody(0, Reader));

        d.Receive(Get("/plain"));
        Assert.False(d.WantBody(0, Reader));

        d.Receive(Upload(3));
        Assert.False(d.WantBody(0, Reader));
        Assert.False(d.WantBody(7, Reader));
        Assert.True(d.WantBody(1, Reader));
    }

    [Fact]
    public void An_answer_before_the_body_was_read_tells_the_reader_and_closes_after_the_answer()
    {
        var d = new CoreDriver(Settings);
        d.Receive(Upload(100_000) + new string('x', 1000));
        d.WantBody(0, Reader);
        Assert.Single(d.EventsOf("piece"));

        d.Respond(0, HttpResponse.Text(403, "not you"), Reader);

        Assert.Equal(new[] { "aborted reader 0: the request was answered before its body was read" }, d.EventsOf("aborted"));
        Assert.Equal(ConnectionState.Finishing, d.State);
        Assert.Equal(ReadDemand.None, d.ReadDemand);
        var response = Wire.Single(d.Flush());
        Assert.Equal(403, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.Equal(ConnectionState.Lingering, d.State);
        Assert.False(d.WantBody(0, Reader));
    }

    [Fact]
    public void An_answer_from_a_handler_that_never_asked_for_the_body_gets_no_100_continue_and_closes()
    {
        var d = new CoreDriver(Settings);
        d.Receive("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        Assert.Empty(d.Flush());

        d.Respond(0, HttpResponse.Text(403, "no"));

        var output = d.Flush();
        Assert.DoesNotContain("100 Continue", output, StringComparison.Ordinal);
        Assert.Equal("close", Wire.Single(output).Header("Connection"));
        Assert.Empty(d.EventsOf("aborted"));
    }

    [Fact]
    public void With_expect_100_continue_the_interim_answer_goes_out_when_the_reader_first_asks()
    {
        var d = new CoreDriver(Settings);
        d.Receive("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        Assert.Single(d.Requests);
        Assert.Empty(d.Flush());

        d.WantBody(0, Reader);

        Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n", d.Flush());
        d.Receive("hello");
        Assert.Equal(new[] { "piece reader 0 hello" }, d.EventsOf("piece"));
    }

    [Fact]
    public void The_end_of_input_midway_through_the_body_tells_the_reader_and_answers_400()
    {
        var d = new CoreDriver(Settings);
        d.Receive(Upload(10) + "abc");
        d.WantBody(0, Reader);
        d.WantBody(0, Reader);

        d.EndInput();

        Assert.Equal(new[] { "aborted reader 0: the client closed the connection before the body ended" }, d.EventsOf("aborted"));
        var response = Wire.Single(d.Flush());
        Assert.Equal(400, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.Equal(ConnectionState.Closed, d.State);
        Assert.False(d.Respond(0, HttpResponse.Text(201, "stored")));
    }

    [Fact]
    public void A_reader_waiting_on_a_silent_client_gets_408_at_the_idle_deadline_not_503()
    {
        var d = new CoreDriver(Settings);
        d.Receive(Upload(10) + "abc");
        d.WantBody(0, Reader);
        d.WantBody(0, Reader);

        // The handler waits on the client: its own deadline does not run, the idle one does.
        Assert.Equal(d.Now + 5_001, d.Core.NextDeadline);
        d.CheckDeadlinesAt(d.Now + 3_000);
        Assert.Empty(d.Flush());

        var idle = new CoreDriver(Settings with { MinRequestBodyRate = MinDataRate.Off });
        idle.Receive(Upload(10) + "abc");
        idle.WantBody(0, Reader);
        idle.WantBody(0, Reader);
        Assert.Equal(idle.Now + 10_000, idle.Core.NextDeadline);
        idle.CheckDeadlinesAt(idle.Now + 10_000);

        Assert.Single(idle.EventsOf("aborted"));
        var response = Wire.Single(idle.Flush());
        Assert.Equal(408, response.Status);
        Assert.Equal("close", response.Header("Connection"));
    }

    [Fact]
    public void A_handler_that_neither_reads_nor_answers_gets_503_with_close_and_its_reader_is_told()
    {
        var d = new CoreDriver(Settings);
        d.Receive(Upload(10) + "abc");
        d.WantBody(0, Reader);
        Assert.Equal(d.Now + 3_000, d.Core.NextDeadline);

        d.CheckDeadlinesAt(d.Now + 3_000);

        Assert.Equal(new[] { "aborted reader 0: the handler did not answer in time" }, d.EventsOf("aborted"));
        var response = Wire.Single(d.Flush());
        Assert.Equal(503, response.Status);
        Assert.Equal("close", response.Header("Connection"));
    }

    [Fact]
    public void A_body_over_the_routes_limit_is_refused_413_before_the_handler_sees_it()
    {
        var d = new CoreDriver(Settings);

        d.Receive(Upload(2_000_000));

        Assert.Empty(d.Requests);
        Assert.Equal(413, Wire.Single(d.Flush()).Status);
    }

    [Fact]
    public void A_chunked_streamed_body_is_handed_over_piece_by_piece()
    {
        var d = new CoreDriver(Settings);
        d.Receive("POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");

        for (var i = 0; i < 10 && d.EventsOf("end").Count == 0; i++)
        {
            d.WantBody(0, Reader);
        }

        Assert.Equal("abcde", string.Concat(d.EventsOf("piece").Select(e => e["piece reader 0 ".Length..])));
        Assert.Single(d.EventsOf("end"));
    }
}
