using ActorHttp.Protocol.Connection;
using static ActorHttp.Tests.Protocol.Connection.CoreDriver;

namespace ActorHttp.Tests.Protocol.Connection;

/// <summary><c>Expect: 100-continue</c> (RFC 9110 §10.1.1): the interim answer goes out before the body is read, once nothing is ahead of it, and never for a refused request.</summary>
public sealed class ExpectContinueTests
{
    private const string Continue = "HTTP/1.1 100 Continue\r\n\r\n";
    private const string ExpectingHead = "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n";

    [Fact]
    public void A_lone_request_gets_100_continue_before_its_body_is_read_and_then_its_answer()
    {
        var d = new CoreDriver();

        d.Receive(ExpectingHead);

        Assert.Empty(d.Requests);
        Assert.Equal(Continue, d.Flush());
        Assert.Equal(ReadDemand.Receive, d.ReadDemand);
        Assert.Empty(d.Flush());

        d.Receive("hello");
        var (request, _) = Assert.Single(d.Requests);
        Assert.Equal("hello", System.Text.Encoding.ASCII.GetString(request.Body.Span));
        d.Respond(0, "got it");
        Assert.Equal(200, Wire.Single(d.Flush()).Status);
        Assert.Equal(new[] { 100, 200 }, Wire.Responses(d.Output).Select(r => r.Status));
    }

    [Fact]
    public void Behind_an_unanswered_request_the_100_continue_waits_and_follows_its_answer()
    {
        var d = new CoreDriver();

        d.Receive(Get("/first") + ExpectingHead);

        Assert.Single(d.Requests);
        Assert.Empty(d.Flush());
        d.Respond(0, "first");
        var output = d.Flush();
        Assert.Equal(new[] { 200, 100 }, Wire.Responses(output).Select(r => r.Status));
        Assert.EndsWith(Continue, output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_body_sent_without_waiting_needs_no_100_continue()
    {
        var d = new CoreDriver();

        d.Receive(ExpectingHead + "hello");

        Assert.Single(d.Requests);
        d.Respond(0, "ok");
        Assert.Equal(new[] { 200 }, Wire.Responses(d.Flush()).Select(r => r.Status));
    }

    [Fact]
    public void A_request_refused_for_its_size_gets_no_100_continue()
    {
        var d = new CoreDriver();

        d.Receive("POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\nExpect: 100-continue\r\n\r\n");

        var output = d.Flush();
        Assert.DoesNotContain("100 Continue", output, StringComparison.Ordinal);
        var response = Wire.Single(output);
        Assert.Equal(413, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.Empty(d.Requests);
    }

    [Fact]
    public void Each_request_of_a_keep_alive_connection_gets_its_own_100_continue()
    {
        var d = new CoreDriver();
        for (var i = 0; i < 3; i++)
        {
            d.Receive(ExpectingHead);
            Assert.Equal(Continue, d.Flush());
            d.Receive("hello");
            d.Respond(i, "ok");
            Assert.Equal(200, Wire.Single(d.Flush()).Status);
        }
    }
}
