using ActorHttp.Protocol;
using ActorHttp.Protocol.Connection;
using static ActorHttp.Tests.Protocol.Connection.CoreDriver;

namespace ActorHttp.Tests.Protocol.Connection;

/// <summary>Answers whose body follows piece by piece (<see cref="HttpResponse.Streamed"/>), and what the connection tells their streamer.</summary>
public sealed class StreamedResponseTests
{
    private const string Streamer = "streamer";

    [Fact]
    public void A_streamed_answer_goes_out_chunked_and_its_streamer_hears_when_each_piece_is_sent()
    {
        var d = new CoreDriver();
        d.Receive(Get("/stream"));

        Assert.True(d.Respond(0, Streamed(), Streamer));
        var head = d.Flush();
        Assert.Contains("Transfer-Encoding: chunked\r\n", head, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", head, StringComparison.Ordinal);
        Assert.Empty(d.EventsOf("chunks-sent"));

        Assert.True(d.RespondChunk(0, "hello"));
        Assert.Equal("5\r\nhello\r\n", d.TakeOutput());
        Assert.Empty(d.EventsOf("chunks-sent"));
        d.Sent();
        Assert.Equal(new[] { "chunks-sent streamer 0" }, d.EventsOf("chunks-sent"));

        Assert.True(d.RespondChunk(0, " world"));
        d.RespondEnd(0);
        Assert.Equal("6\r\n world\r\n0\r\n\r\n", d.Flush());
        Assert.Equal(2, d.EventsOf("chunks-sent").Count);

        var response = Wire.Single(d.Output);
        Assert.Equal("hello world", response.Text());
        Assert.Equal(new[] { "answered GET /stream 200" }, d.EventsOf("answered"));
        Assert.Equal(ConnectionState.Open, d.State);
        Assert.False(d.RespondChunk(0, "more"));
    }

    [Fact]
    public void The_answer_behind_a_streamed_one_waits_for_its_end()
    {
        var d = new CoreDriver();
        d.Receive(Get("/stream") + Get("/after"));
        d.Respond(0, Streamed(), Streamer);
        d.Respond(1, "after");
        d.RespondChunk(0, "abc");
        Assert.DoesNotContain("after", d.Flush(), StringComparison.Ordinal);

        d.RespondEnd(0);
        d.Flush();

        Assert.Equal(new[] { "abc", "after" }, Wire.Responses(d.Output).Select(r => r.Text()));
    }

    [Fact]
    public void A_promised_length_is_sent_as_content_length_and_the_connection_stays_open()
    {
        var d = new CoreDriver();
        d.Receive(Get("/file"));

        d.Respond(0, Streamed(length: 10), Streamer);
        d.RespondChunk(0, "hello");
        d.RespondChunk(0, "world");
        d.RespondEnd(0);
        var output = d.Flush();

        Assert.Contains("Content-Length: 10\r\n", output, StringComparison.Ordinal);
        Assert.DoesNotContain("chunked", output, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nhelloworld", output, StringComparison.Ordinal);
        Assert.Equal(ConnectionState.Open, d.State);
    }

    [Fact]
    public void Bytes_past_the_promised_length_are_cut_off_the_streamer_is_stopped_and_the_connection_closes()
    {
        var d = new CoreDriver();
        d.Receive(Get("/file") + Get("/next"));
        d.Respond(0, Streamed(length: 5), Streamer);
        d.Respond(1, "next");

        d.RespondChunk(0, "hello world");
        var output = d.Flush();

        Assert.EndsWith("\r\n\r\nhello", output, StringComparison.Ordinal);
        Assert.DoesNotContain("next", output, StringComparison.Ordinal);
        Assert.Equal(new[] { "response-aborted streamer 0" }, d.EventsOf("response-aborted"));
        Assert.Equal(ConnectionState.Lingering, d.State);
        Assert.False(d.RespondChunk(0, "more"));
    }

    [Fact]
    public void A_body_that_ends_short_of_its_promised_length_closes_the_connection()
    {
        var d = new CoreDriver();
        d.Receive(Get("/file"));
        d.Respond(0, Streamed(length: 10), Streamer);

        d.RespondChunk(0, "hello");
        d.RespondEnd(0);
        var output = d.Flush();

        Assert.EndsWith("\r\n\r\nhello", output, StringComparison.Ordinal);
        Assert.Equal(ConnectionState.Lingering, d.State);
        Assert.Empty(d.EventsOf("response-aborted"));
    }

    [Fact]
    public void A_streamed_answer_to_http10_is_delimited_by_the_close()
    {
        var d = new CoreDriver();
        d.Receive("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");

        d.Respond(0, Streamed(), Streamer);
        d.RespondChunk(0, "abc");
        d.RespondEnd(0);
        var output = d.Flush();

        Assert.Contains("Connection: close\r\n", output, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nabc", output, StringComparison.Ordinal);
        Assert.Equal(ConnectionState.Lingering, d.State);
    }

    [Fact]
    public void An_aborted_answer_closes_the_connection_at_once()
    {
        var d = new CoreDriver();
        d.Receive(Get("/stream"));
        d.Respond(0, Streamed(), Streamer);
        d.RespondChunk(0, "abc");
        d.Flush();

        Assert.False(d.Core.AbortResponse(5));
        Assert.Equal(ConnectionState.Open, d.State);
        Assert.True(d.Core.AbortResponse(0));

        Assert.Equal(ConnectionState.Closed, d.State);
        Assert.False(d.Core.ResetOnClose);
        Assert.Empty(d.TakeOutput());
    }

    [Fact]
    public void Chunks_for_an_unknown_or_unstreamed_answer_are_refused()
    {
        var d = new CoreDriver();
        Assert.False(d.RespondChunk(0, "abc"));

        d.Receive(Get("/a") + Get("/b"));
        Assert.False(d.RespondChunk(0, "abc"));
        d.Respond(0, "whole");
        Assert.False(d.RespondChunk(0, "abc"));
        Assert.False(d.RespondChunk(9, "abc"));
        d.RespondEnd(9);

        Assert.Equal(new[] { "whole" }, Wire.Responses(d.Flush()).Select(r => r.Text()));
    }

    [Fact]
    public void A_streamed_answer_to_head_sends_no_body_and_the_connection_stays_open()
    {
        var d = new CoreDriver();
        d.Receive("HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\n");
        d.Respond(0, Streamed(), Streamer);
        d.RespondChunk(0, "abc");
        d.RespondEnd(0);

        var output = d.Flush();

        Assert.EndsWith("\r\n\r\n", output, StringComparison.Ordinal);
        Assert.DoesNotContain("abc", output, StringComparison.Ordinal);
        Assert.Equal(ConnectionState.Open, d.State);
    }

    [Fact]
    public void Release_tells_every_streamer_and_the_reader_still_waiting()
    {
        var d = new CoreDriver(Defaults with { StreamedBodyLimit = request => request.Path == "/up" ? 1000 : null });
        d.Receive(Get("/stream") + "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
        d.Respond(0, Streamed(), Streamer);
        d.RespondChunk(0, "abc");
        d.Flush();
        d.WantBody(1, "reader");
        d.WantBody(1, "reader");

        d.Core.Release();

        Assert.Equal(ConnectionState.Closed, d.State);
        Assert.Equal(new[] { "response-aborted streamer 0" }, d.EventsOf("response-aborted"));
        Assert.Equal(new[] { "aborted reader 1: the connection closed" }, d.EventsOf("aborted"));
        Assert.False(d.RespondChunk(0, "more"));
        Assert.False(d.WantBody(1, "reader"));
    }

    [Fact]
    public void Streamers_of_answers_dropped_behind_a_closing_one_are_told()
    {
        var d = new CoreDriver();
        d.Receive(Get("/close") + Get("/stream"));
        d.Respond(1, Streamed(), Streamer);
        d.RespondChunk(1, "abc");

        d.Respond(0, HttpResponse.Text(200, "bye") with { Close = true });
        var output = d.Flush();

        Assert.Equal("bye", Wire.Single(output).Text());
        Assert.Equal(new[] { "response-aborted streamer 1" }, d.EventsOf("response-aborted"));
        Assert.Equal(ConnectionState.Lingering, d.State);
    }

    [Fact]
    public void A_streamer_that_stops_sending_pieces_is_cut_off_after_the_handler_timeout()
    {
        var d = new CoreDriver();
        d.Receive(Get("/stream"));
        d.Respond(0, Streamed(), Streamer);
        d.Flush();
        Assert.Equal(d.Now + 3000, d.Core.NextDeadline);

        // A piece sent and taken by the client restarts the streamer's clock.
        d.Advance(2000);
        d.RespondChunk(0, "abc");
        d.Flush();
        Assert.Equal(d.Now + 3000, d.Core.NextDeadline);

        d.CheckDeadlinesAt(d.Now + 2999);
        Assert.Equal(ConnectionState.Open, d.State);

        d.CheckDeadlinesAt(d.Now + 1);
        Assert.Equal(ConnectionState.Closed, d.State);
        Assert.DoesNotContain("0\r\n\r\n", d.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_streamed_piece_waiting_for_the_client_is_not_the_streamers_delay()
    {
        var d = new CoreDriver();
        d.Receive(Get("/stream"));
        d.Respond(0, Streamed(), Streamer);
        d.Flush();
        d.RespondChunk(0, "abc");
        d.TakeOutput();

        // The client reads slowly: that is min-response-data-rate's business, not handler-timeout's.
        d.CheckDeadlinesAt(d.Now + 4000);

        Assert.Equal(ConnectionState.Open, d.State);
    }
}
