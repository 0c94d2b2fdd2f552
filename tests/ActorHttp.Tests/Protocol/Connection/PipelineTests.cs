using ActorHttp.Protocol;
using ActorHttp.Protocol.Connection;
using static ActorHttp.Tests.Protocol.Connection.CoreDriver;

namespace ActorHttp.Tests.Protocol.Connection;

/// <summary>Pipelined requests (RFC 9112 §9.3.2): numbered, answered in order, held back by the pipelining limit and max-response-buffer.</summary>
public sealed class PipelineTests
{
    [Fact]
    public void Three_requests_in_one_receive_are_numbered_in_order_and_answered_in_request_order()
    {
        var d = new CoreDriver();

        d.Receive(Get("/0") + Get("/1") + Get("/2"));

        Assert.Equal(new long[] { 0, 1, 2 }, d.Requests.Select(r => r.Sequence));
        Assert.Equal(new[] { "/0", "/1", "/2" }, d.Requests.Select(r => r.Request.Path));

        Assert.True(d.Respond(2, "two"));
        Assert.False(d.Core.ShouldBatchLater);
        Assert.Empty(d.TakeOutput());

        Assert.True(d.Respond(0, "zero"));
        Assert.True(d.Core.ShouldBatchLater);

        Assert.True(d.Respond(1, "one"));
        Assert.False(d.Core.ShouldBatchLater);
        var output = d.TakeOutput();
        d.Sent();

        Assert.Equal(new[] { "zero", "one", "two" }, Wire.Responses(output).Select(r => r.Text()));
        Assert.Equal(new[] { "answered GET /0 200", "answered GET /1 200", "answered GET /2 200" }, d.EventsOf("answered"));
        Assert.Equal(ConnectionState.Open, d.State);
        Assert.Equal(ReadDemand.WaitForData, d.ReadDemand);
    }

    [Fact]
    public void Sixteen_requests_answered_in_a_shuffled_order_go_out_in_request_order_and_unknown_numbers_are_refused()
    {
        var d = new CoreDriver(new ConnectionSettings { PipeliningLimit = 16 });
        d.Receive(string.Concat(Enumerable.Range(0, 16).Select(i => Get($"/{i}"))));
        Assert.Equal(16, d.Requests.Count);

        // Every position is looked up, from the front half and from the back half of the queue.
        var order = new[] { 15, 3, 8, 0, 12, 1, 14, 7, 2, 9, 4, 13, 5, 10, 6, 11 };
        var answered = new HashSet<long>();
        foreach (var sequence in order)
        {
            Assert.True(d.Respond(sequence, $"answer {sequence}"));
            Assert.False(d.Respond(sequence, "a second answer"));
            answered.Add(sequence);

            // Worth waiting for more only once the first can go and some are still unanswered.
            Assert.Equal(answered.Contains(0) && answered.Count < 16, d.Core.ShouldBatchLater);
        }

        Assert.False(d.Respond(16, "never asked"));
        Assert.False(d.Respond(-1, "never asked"));
        Assert.False(d.Core.ShouldBatchLater);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => $"answer {i}"), Wire.Responses(d.Flush()).Select(r => r.Text()));
        Assert.False(d.Respond(0, "after it went out"));
    }

    [Fact]
    public void Output_taken_early_holds_only_the_ready_answers_at_the_front()
    {
        var d = new CoreDriver();
        d.Receive(Get("/0") + Get("/1") + Get("/2"));

        d.Respond(0, "zero");
        Assert.Equal(new[] { "zero" }, Wire.Responses(d.Flush()).Select(r => r.Text()));

        d.Respond(2, "two");
        Assert.Empty(d.Flush());

        d.Respond(1, "one");
        Assert.Equal(new[] { "one", "two" }, Wire.Responses(d.Flush()).Select(r => r.Text()));
    }

    [Fact]
    public void Should_batch_later_is_false_while_a_send_is_under_way()
    {
        var d = new CoreDriver();
        d.Receive(Get("/0") + Get("/1") + Get("/2"));
        d.Respond(0, "zero");
        d.TakeOutput();

        d.Respond(1, "one");

        Assert.False(d.Core.ShouldBatchLater);
        Assert.Empty(d.Core.TakeOutput(d.Now).ToArray());
        d.Sent();
        Assert.Equal(new[] { "one" }, Wire.Responses(d.Flush()).Select(r => r.Text()));
    }

    [Fact]
    public void At_the_pipelining_limit_nothing_more_is_read_or_parsed_until_an_answer_has_gone_out()
    {
        var d = new CoreDriver(Defaults with { PipeliningLimit = 2 });

        d.Receive(Get("/0") + Get("/1") + Get("/2") + Get("/3"));

        Assert.Equal(2, d.Requests.Count);
        Assert.Equal(ReadDemand.None, d.ReadDemand);

        // An answer that is ready but not written yet still holds its place.
        d.Respond(0, "zero");
        Assert.Equal(2, d.Requests.Count);
        Assert.Equal(ReadDemand.None, d.ReadDemand);

        // Written but not sent: the connection parses on only once the send completes.
        d.TakeOutput();
        Assert.Equal(2, d.Requests.Count);
        d.Sent();
        Assert.Equal(3, d.Requests.Count);
        Assert.Equal(2, d.Requests[2].Sequence);
        Assert.Equal(ReadDemand.None, d.ReadDemand);

        d.Respond(1, "one");
        d.Respond(2, "two");
        d.Flush();
        Assert.Equal(4, d.Requests.Count);
        d.Respond(3, "three");
        Assert.NotEmpty(d.Flush());

        Assert.Equal(new[] { "zero", "one", "two", "three" }, Wire.Responses(d.Output).Select(r => r.Text()));
        Assert.Equal(ReadDemand.WaitForData, d.ReadDemand);
    }

    [Fact]
    public void A_host_that_reads_only_as_asked_serves_more_requests_than_the_pipelining_limit_in_order()
    {
        var d = new CoreDriver(Defaults with { PipeliningLimit = 2 });
        d.ClientSends(string.Concat(Enumerable.Range(0, 12).Select(i => Get($"/{i}"))));

        var answered = 0;
        for (var round = 0; round < 100 && answered < 12; round++)
        {
            d.Pump(readSize: 50);
            Assert.InRange(d.Requests.Count - answered, 0, 2);

            // Answer the newest first: the wire still has them in request order.
            foreach (var (_, sequence) in d.Requests.Skip(answered).Reverse())
            {
                d.Respond(sequence, $"answer {sequence}");
            }

            answered = d.Requests.Count;
            d.Flush();
        }

        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"answer {i}"), Wire.Responses(d.Output).Select(r => r.Text()));
        Assert.Equal(0, d.BytesWaitingInKernel);
    }

    [Fact]
    public void While_more_than_max_response_buffer_waits_to_be_sent_no_further_request_is_parsed()
    {
        var d = new CoreDriver(Defaults with { MaxResponseBuffer = 1000 });
        d.Receive(Get("/big"));
        d.Respond(0, new string('b', 5000));
        var output = d.TakeOutput();
        Assert.True(output.Length > 5000);
        Assert.Equal(ReadDemand.None, d.ReadDemand);

        // A receive already under way completes: its request waits unparsed.
        d.Receive(Get("/next"));
        Assert.Single(d.Requests);
        Assert.Equal(ReadDemand.None, d.ReadDemand);

        d.Sent(1000);
        Assert.Single(d.Requests);

        d.Sent();
        Assert.Equal(2, d.Requests.Count);
        Assert.Equal("/next", d.Requests[1].Request.Path);
    }

    [Fact]
    public void One_batch_stops_after_the_answer_that_crosses_max_response_buffer()
    {
        var d = new CoreDriver(Defaults with { MaxResponseBuffer = 1000 });
        d.Receive(Get("/0") + Get("/1") + Get("/2"));
        d.Respond(0, new string('a', 600));
        d.Respond(1, new string('b', 600));
        d.Respond(2, new string('c', 600));

        var first = d.TakeOutput();
        d.Sent();
        var second = d.TakeOutput();
        d.Sent();

        Assert.Equal(2, Wire.Responses(first).Count);
        Assert.Equal(new string('c', 600), Wire.Single(second).Text());
    }

    [Fact]
    public void A_malformed_request_is_answered_400_with_close_after_the_answers_before_it_and_nothing_after_it_is_parsed()
    {
        var d = new CoreDriver();

        d.Receive(Get("/a") + "GET /b HTTP/1.1\r\n\r\n" + Get("/c"));

        var (request, _) = Assert.Single(d.Requests);
        Assert.Equal("/a", request.Path);
        Assert.Equal(ConnectionState.Finishing, d.State);
        Assert.Equal(ReadDemand.None, d.ReadDemand);

        // The refusal waits for the answer ahead of it.
        Assert.Empty(d.Flush());
        d.Respond(0, "a");
        var responses = Wire.Responses(d.Flush());

        Assert.Equal(new[] { 200, 400 }, responses.Select(r => r.Status));
        Assert.Null(responses[0].Header("Connection"));
        Assert.Equal("close", responses[1].Header("Connection"));
        Assert.Equal(ConnectionState.Lingering, d.State);
        d.Receive(Get("/d"));
        Assert.Single(d.Requests);
    }

    [Fact]
    public void A_malformed_first_request_never_reaches_the_host()
    {
        var d = new CoreDriver();

        d.Receive("GET /a HTTP/9.9\r\nHost: x\r\n\r\n");

        Assert.Empty(d.Requests);
        var response = Wire.Single(d.Flush());
        Assert.InRange(response.Status, 400, 505);
        Assert.Equal("close", response.Header("Connection"));
        Assert.Equal(ConnectionState.Lingering, d.State);
    }

    [Fact]
    public void Head_answers_in_a_pipeline_carry_no_body_and_the_next_answer_follows_directly()
    {
        var d = new CoreDriver();
        d.Receive("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n" + Get("/g"));

        d.Respond(0, HttpResponse.Text(200, "not sent"));
        d.Respond(1, "sent");
        var output = d.Flush();

        Assert.DoesNotContain("not sent", output, StringComparison.Ordinal);
        Assert.Contains("Content-Length: 8\r\n", output, StringComparison.Ordinal);
        Assert.EndsWith("sent", output, StringComparison.Ordinal);
        Assert.Equal(2, output.Split("HTTP/1.1 200").Length - 1);
    }
}
