using ActorHttp.Protocol;
using ActorHttp.Protocol.Connection;
using static ActorHttp.Tests.Protocol.Connection.CoreDriver;

namespace ActorHttp.Tests.Protocol.Connection;

/// <summary><see cref="ConnectionState.Open"/>: one request at a time on a keep-alive connection.</summary>
public sealed class KeepAliveTests
{
    [Fact]
    public void A_new_connection_is_open_waits_for_data_and_is_idle_from_its_start()
    {
        var d = new CoreDriver();

        Assert.Equal(ConnectionState.Open, d.State);
        Assert.Equal(ReadDemand.WaitForData, d.ReadDemand);
        Assert.Equal(Start, d.Core.IdleSince);
        Assert.Equal(Start + 10_000, d.Core.NextDeadline);
        Assert.True(d.Core.IsIdleBetweenRequests);
        Assert.False(d.HoldsReceiveBuffer);
        Assert.Empty(d.Output);
    }

    [Fact]
    public void A_get_in_one_piece_is_one_request_and_its_answer_keeps_the_connection_open()
    {
        var d = new CoreDriver();

        d.Receive(Get("/a?x=1"));

        var (request, sequence) = Assert.Single(d.Requests);
        Assert.Equal(0, sequence);
        Assert.Equal("GET", request.Method);
        Assert.Equal("/a", request.Path);
        Assert.Equal("x=1", request.Query);
        Assert.Equal(ConnectionState.Open, d.State);
        Assert.Equal(0, d.Core.IdleSince);
        Assert.False(d.Core.IsIdleBetweenRequests);
        Assert.Equal(d.Now + 3_000, d.Core.NextDeadline);
        Assert.Empty(d.TakeOutput());

        d.Advance(5);
        Assert.True(d.Respond(0, "hello"));
        var response = Wire.Single(d.Flush());

        Assert.Equal(200, response.Status);
        Assert.Equal("hello", response.Text());
        Assert.Null(response.Header("Connection"));
        Assert.Equal(ConnectionState.Open, d.State);
        Assert.Equal(ReadDemand.WaitForData, d.ReadDemand);
        Assert.Equal(d.Now, d.Core.IdleSince);
        Assert.Equal(d.Now + 10_000, d.Core.NextDeadline);
        Assert.True(d.Core.IsIdleBetweenRequests);
        Assert.Equal(new[] { "request 0 GET /a?x=1", "answered GET /a?x=1 200" }, d.Events);
    }

    [Fact]
    public void A_get_split_byte_by_byte_is_the_same_one_request_and_the_same_answer()
    {
        var whole = new CoreDriver();
        whole.Receive(Get("/a", "User-Agent: test\r\n"));
        whole.Respond(0, "hello");
        var expected = whole.Flush();

        var d = new CoreDriver();
        var bytes = Bytes(Get("/a", "User-Agent: test\r\n"));
        for (var i = 0; i < bytes.Length; i++)
        {
            Assert.Empty(d.Requests);
            d.Receive(bytes.AsSpan(i, 1));
            if (i < bytes.Length - 1)
            {
                Assert.Equal(ReadDemand.Receive, d.ReadDemand);
                Assert.True(d.HoldsReceiveBuffer);
            }
        }

        var (request, sequence) = Assert.Single(d.Requests);
        Assert.Equal(0, sequence);
        Assert.Equal("test", request.Headers["User-Agent"]);
        d.Respond(0, "hello");
        Assert.Equal(Wire.WithoutDates(expected), Wire.WithoutDates(d.Flush()));
        Assert.Equal(ReadDemand.WaitForData, d.ReadDemand);
    }

    [Fact]
    public void The_receive_buffer_is_held_only_while_a_request_is_partly_received()
    {
        var d = new CoreDriver();
        Assert.False(d.HoldsReceiveBuffer);

        d.Receive("GET /a HTTP/1.1\r\n");
        Assert.True(d.HoldsReceiveBuffer);

        d.Receive("Host: x\r\n\r\n");
        Assert.Single(d.Requests);
        Assert.False(d.HoldsReceiveBuffer);

        d.Respond(0, "a");
        d.Flush();
        Assert.False(d.HoldsReceiveBuffer);

        // A new buffer is rented for the next request, from its start.
        var memory = d.Core.GetReceiveMemory(d.Now);
        Assert.True(memory.Length >= d.Settings.ReceiveBufferSize);
        Bytes(Get("/b")).CopyTo(memory);
        d.Core.Received(Get("/b").Length, d.Now);

        Assert.Equal(new long[] { 0, 1 }, d.Requests.Select(r => r.Sequence));
        Assert.Equal("/b", d.Requests[1].Request.Path);
        Assert.False(d.HoldsReceiveBuffer);
    }

    [Fact]
    public void Keep_alive_requests_are_numbered_on_and_each_answered_in_turn()
    {
        var d = new CoreDriver();
        for (var i = 0; i < 5; i++)
        {
            d.Receive(Get($"/{i}"));
            Assert.Equal(i, d.Requests[^1].Sequence);
            d.Advance(10);
            d.Respond(i, $"answer {i}");
            Assert.Equal($"answer {i}", Wire.Single(d.Flush()).Text());
            Assert.Equal(ConnectionState.Open, d.State);
        }
    }

    [Fact]
    public void An_http10_request_without_keep_alive_is_answered_with_close_and_nothing_more_is_read()
    {
        var d = new CoreDriver();

        d.Receive("GET /old HTTP/1.0\r\n\r\n");

        Assert.Single(d.Requests);
        Assert.Equal(ConnectionState.Finishing, d.State);
        Assert.Equal(ReadDemand.None, d.ReadDemand);
        d.Respond(0, "old");
        var output = d.TakeOutput();
        Assert.Equal(ConnectionState.ClosingAfterSend, d.State);
        var response = Wire.Single(output);
        Assert.Equal("close", response.Header("Connection"));
        Assert.Equal("old", response.Text());
        d.Sent();
        Assert.Empty(d.TakeOutput());
        Assert.Equal(ConnectionState.Lingering, d.State);
    }

    [Fact]
    public void An_http10_request_with_keep_alive_is_answered_with_keep_alive_and_the_connection_stays()
    {
        var d = new CoreDriver();

        d.Receive("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        d.Respond(0, "old");
        var response = Wire.Single(d.Flush());

        Assert.Equal("keep-alive", response.Header("Connection"));
        Assert.Equal(ConnectionState.Open, d.State);
        Assert.Equal(ReadDemand.WaitForData, d.ReadDemand);
    }

    [Fact]
    public void A_post_with_a_content_length_body_split_across_receives_is_one_request_with_the_whole_body()
    {
        var d = new CoreDriver();

        d.Receive("POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello");
        Assert.Empty(d.Requests);
        Assert.Equal(ReadDemand.Receive, d.ReadDemand);
        d.Receive("world");

        var (request, _) = Assert.Single(d.Requests);
        Assert.Equal("helloworld", System.Text.Encoding.ASCII.GetString(request.Body.Span));
        Assert.False(request.BodyStreamed);
    }

    [Fact]
    public void A_head_larger_than_the_receive_buffer_grows_it_and_is_read_whole()
    {
        var d = new CoreDriver(Defaults with { ReceiveBufferSize = 1024 });
        var cookie = new string('c', 20_000);

        d.Receive(Get("/big", $"Cookie: {cookie}\r\n") + Get("/next"));

        Assert.Equal(new[] { "/big", "/next" }, d.Requests.Select(r => r.Request.Path));
        Assert.Equal(cookie, d.Requests[0].Request.Headers["Cookie"]);
        Assert.False(d.HoldsReceiveBuffer);
    }

    [Fact]
    public void A_head_over_the_limits_is_refused_431_with_close()
    {
        var d = new CoreDriver(Defaults with { Limits = HttpLimits.Default with { MaxHeaderBytes = 1000 } });

        d.Receive(Get("/big", $"Cookie: {new string('c', 2000)}\r\n"));

        Assert.Empty(d.Requests);
        var response = Wire.Single(d.Flush());
        Assert.Equal(431, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.Equal(ConnectionState.Lingering, d.State);
    }

    [Fact]
    public void Each_answer_is_reported_with_its_times_and_body_size_and_with_access_log_on_its_referer_and_user_agent()
    {
        var d = new CoreDriver(Defaults with { AccessLog = true });
        var parsed = d.Now;
        d.Receive(Get("/a", "Referer: http://r.example/\r\nUser-Agent: probe\r\n"));
        d.Advance(42);

        d.Respond(0, HttpResponse.Text(404, "missing"));
        d.Flush();

        var answered = Assert.Single(d.Answered);
        Assert.Equal(("GET", "/a", HttpVersion.Http11, 404, 7L), (answered.Method, answered.Target, answered.Version, answered.StatusCode, answered.BodyBytes));
        Assert.Equal(("http://r.example/", "probe"), (answered.Referer, answered.UserAgent));
        Assert.Equal((parsed, parsed + 42), (answered.StartTimestamp, answered.EndTimestamp));

        var quiet = new CoreDriver();
        quiet.Receive(Get("/a", "Referer: http://r.example/\r\nUser-Agent: probe\r\n"));
        quiet.Respond(0, "a");
        quiet.Flush();
        Assert.Equal(((string?)null, (string?)null), (quiet.Answered[0].Referer, quiet.Answered[0].UserAgent));
    }

    [Fact]
    public void An_answer_with_a_forbidden_header_character_becomes_a_500()
    {
        var d = new CoreDriver();
        d.Receive(Get("/a"));

        d.Respond(0, HttpResponse.Text(200, "x").WithHeader("X-Bad", "a\r\nInjected: yes"));
        var response = Wire.Single(d.Flush());

        Assert.Equal(500, response.Status);
        Assert.Null(response.Header("Injected"));
        Assert.Equal(ConnectionState.Open, d.State);
    }
}
