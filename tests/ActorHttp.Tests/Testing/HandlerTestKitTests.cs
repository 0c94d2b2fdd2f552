using System.Text;
using ActorHttp.Handlers;
using ActorHttp.Protocol;
using ActorHttp.Tests.Support;
using Akka.Actor;

namespace ActorHttp.Tests.Testing;

/// <summary>ActorHttp.Testing's way to test a handler actor alone, from an Akka.TestKit.Xunit2 test class.</summary>
public sealed class HandlerTestKitTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task A_handler_answers_with_its_route_values_and_query()
    {
        var handler = Sys.ActorOf(Props.Create<RouteValuesHandler>());

        var response = await this.SendToHandlerAsync(handler, TestRequests.Get("/users/7").WithRouteValues(("id", "7")));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("id=7", response.BodyText());
        Assert.Equal("text/plain; charset=utf-8", response.Header("content-type"));
    }

    [Fact]
    public async Task Async_work_is_awaited()
    {
        var handler = Sys.ActorOf(Props.Create<AsyncOkHandler>());

        var response = await this.SendToHandlerAsync(handler, TestRequests.Get("/test/async-ok"));

        Assert.Equal("async ok", response.BodyText());
    }

    [Fact]
    public async Task A_crash_is_answered_500_and_the_restarted_handler_answers_the_next_request()
    {
        var handler = Sys.ActorOf(Props.Create<AsyncFailHandler>());

        Assert.Equal(500, (await this.SendToHandlerAsync(handler, TestRequests.Get("/test/async-fail"))).StatusCode);
        Assert.Equal(500, (await this.SendToHandlerAsync(handler, TestRequests.Get("/test/async-fail"))).StatusCode);
    }

    [Fact]
    public async Task A_paced_stream_is_acknowledged_piece_by_piece_and_returned_whole()
    {
        var handler = Sys.ActorOf(Props.Create<PacedStreamingHandler>());

        var response = await this.SendToHandlerAsync(handler, TestRequests.Get("/test/paced-stream?n=5&size=1000"));

        Assert.True(response.Streamed);
        Assert.Equal(5000, response.Body.Length);
        Assert.Equal(Enumerable.Range(0, 5000).Select(i => (byte)(i % 251)), response.Body.ToArray());
    }

    [Fact]
    public async Task A_streamed_request_body_is_handed_over_when_the_handler_asks()
    {
        var handler = Sys.ActorOf(Props.Create<BodyCountingHandler>());
        var body = new byte[HandlerTestKitExtensions.RequestBodyPieceBytes * 2 + 5];

        var response = await this.SendToHandlerAsync(handler, TestRequests.Post("/count", body), streamRequestBody: true);

        Assert.Equal($"{body.Length} bytes in 3 pieces", response.BodyText());
    }

    [Fact]
    public async Task A_handler_that_never_answers_fails_the_test_with_a_timeout_naming_the_request()
    {
        var handler = Sys.ActorOf(Props.Create<NeverAnswersHandler>());

        var error = await Assert.ThrowsAsync<TimeoutException>(() => this.SendToHandlerAsync(handler, TestRequests.Get("/test/never"), TimeSpan.FromMilliseconds(200)));

        Assert.Contains("GET /test/never", error.Message);
    }

    [Fact]
    public async Task An_aborted_stream_is_reported_with_what_was_sent()
    {
        var handler = Sys.ActorOf(Props.Create<AbortingStreamHandler>());

        var error = await Assert.ThrowsAsync<HandlerStreamAbortedException>(() => this.SendToHandlerAsync(handler, TestRequests.Get("/abort")));

        Assert.Equal("partial", Encoding.UTF8.GetString(error.BodySoFar));
        Assert.Equal(200, error.Head.StatusCode);
    }

    private sealed class BodyCountingHandler : HttpHandlerActor
    {
        private long _bytes;
        private int _pieces;

        protected override void OnRequest(RequestContext context) => context.ReadBody();

        protected override void OnRequestBody(RequestContext context, ReadOnlyMemory<byte> data)
        {
            _bytes += data.Length;
            _pieces++;
            context.ReadBody();
        }

        protected override void OnRequestBodyEnd(RequestContext context, HttpHeaders trailers) =>
            context.Respond(HttpResponse.Text(200, $"{_bytes} bytes in {_pieces} pieces"));
    }

    private sealed class AbortingStreamHandler : HttpHandlerActor
    {
        protected override void OnRequest(RequestContext context)
        {
            context.StartStream(HttpResponse.Text(200, string.Empty));
            context.SendChunk(Encoding.UTF8.GetBytes("partial"));
            context.AbortStream();
        }
    }
}
