using System.Globalization;
using System.Text;
using ActorHttp.Actors;
using ActorHttp.Handlers;
using ActorHttp.Protocol;
using ActorHttp.Tests.Support;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Xunit.Abstractions;

namespace ActorHttp.Tests.Actors;

/// <summary>
/// The handler base class. Handlers are created with <c>Sys.ActorOf</c>, so their parent is the user
/// guardian, whose default strategy restarts on failure, like a route supervisor does.
/// </summary>
public sealed class HttpHandlerActorTests(ITestOutputHelper output) : TestKit(output: output)
{
    [Fact]
    public async Task RespondAsync_with_a_successful_task_answers_the_connection()
    {
        var connection = CreateTestProbe();
        var gate = new TaskCompletionSource<HttpResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = Sys.ActorOf(Props.Create(() => new AsyncHandler(gate.Task)));

        handler.Tell(new HandleRequest(TestRequests.Get("/a"), 4, connection.Ref));
        // Nothing is answered before the work completes: the handler did not block waiting for it.
        await connection.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        gate.SetResult(HttpResponse.Text(200, "async ok"));

        var ready = await connection.ExpectMsgAsync<ResponseReady>();
        Assert.Equal((4, 200, "async ok"), (ready.Sequence, ready.Response.StatusCode, ready.BodyText()));
    }

    [Fact]
    public async Task RespondAsync_with_a_faulted_task_answers_500_through_supervision()
    {
        var connection = CreateTestProbe();
        var gate = new TaskCompletionSource<HttpResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = Sys.ActorOf(Props.Create(() => new AsyncHandler(gate.Task)));

        handler.Tell(new HandleRequest(TestRequests.Get("/a"), 9, connection.Ref));
        gate.SetException(new InvalidOperationException("async work failed on purpose"));

        var ready = await connection.ExpectMsgAsync<ResponseReady>();
        Assert.Equal((9, 500), (ready.Sequence, ready.Response.StatusCode));
        Assert.DoesNotContain("on purpose", ready.BodyText());
        await connection.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Faulted_async_work_reaches_the_supervisor_as_a_crash()
    {
        var connection = CreateTestProbe();
        var route = Sys.ActorOf(RouteSupervisorActor.Props(Props.Create<CountingAsyncHandler>(), 1, new SupervisionSettings(), "/a"));

        route.Tell(new HandleRequest(TestRequests.Get("/count"), 0, connection.Ref));
        Assert.Equal((0, "1"), Summary(await connection.ExpectMsgAsync<ResponseReady>()));
        route.Tell(new HandleRequest(TestRequests.Get("/async-fail"), 1, connection.Ref));
        Assert.Equal(500, (await connection.ExpectMsgAsync<ResponseReady>()).Response.StatusCode);

        // The count starting over shows the supervisor restarted the handler for the async failure.
        route.Tell(new HandleRequest(TestRequests.Get("/count"), 2, connection.Ref));
        Assert.Equal((2, "1"), Summary(await connection.ExpectMsgAsync<ResponseReady>()));
    }

    [Fact]
    public async Task Synchronous_throw_answers_500_and_the_handler_keeps_serving()
    {
        var connection = CreateTestProbe();
        var handler = Sys.ActorOf(Props.Create<StatefulHandler>());

        handler.Tell(new HandleRequest(TestRequests.Get("/count"), 0, connection.Ref));
        handler.Tell(new HandleRequest(TestRequests.Get("/throw"), 1, connection.Ref));
        handler.Tell(new HandleRequest(TestRequests.Get("/count"), 2, connection.Ref));

        Assert.Equal((0, "1"), Summary(await connection.ExpectMsgAsync<ResponseReady>()));
        var crashed = await connection.ExpectMsgAsync<ResponseReady>();
        Assert.Equal((1, 500), (crashed.Sequence, crashed.Response.StatusCode));
        // A restart is a new instance: the state went with the one that crashed.
        Assert.Equal((2, "1"), Summary(await connection.ExpectMsgAsync<ResponseReady>()));
    }

    [Fact]
    public async Task Stateful_handler_keeps_its_state_across_requests()
    {
        var connection = CreateTestProbe();
        var handler = Sys.ActorOf(Props.Create<StatefulHandler>());

        for (var sequence = 0; sequence < 3; sequence++)
        {
            handler.Tell(new HandleRequest(TestRequests.Get("/count"), sequence, connection.Ref));
        }

        Assert.Equal((0, "1"), Summary(await connection.ExpectMsgAsync<ResponseReady>()));
        Assert.Equal((1, "2"), Summary(await connection.ExpectMsgAsync<ResponseReady>()));
        Assert.Equal((2, "3"), Summary(await connection.ExpectMsgAsync<ResponseReady>()));
    }

    [Fact]
    public async Task Other_messages_reach_OnMessage_and_may_change_state()
    {
        var connection = CreateTestProbe();
        var handler = Sys.ActorOf(Props.Create<StatefulHandler>());

        handler.Tell(new StatefulHandler.Add(10));
        handler.Tell(new HandleRequest(TestRequests.Get("/count"), 0, connection.Ref));

        Assert.Equal((0, "11"), Summary(await connection.ExpectMsgAsync<ResponseReady>()));
    }

    [Fact]
    public async Task Streaming_sends_the_head_then_each_chunk_then_the_end_in_order()
    {
        var connection = CreateTestProbe();
        var handler = Sys.ActorOf(Props.Create<StreamingHandler>());

        handler.Tell(new HandleRequest(TestRequests.Get("/stream") with { Query = "n=5" }, 6, connection.Ref));

        var head = await connection.ExpectMsgAsync<ResponseReady>();
        Assert.Equal(6, head.Sequence);
        Assert.True(head.Response.Streamed);
        Assert.True(head.Response.Body.IsEmpty);
        Assert.Equal(200, head.Response.StatusCode);
        for (var i = 0; i < 5; i++)
        {
            var chunk = await connection.ExpectMsgAsync<ResponseBodyChunk>();
            Assert.Equal(6, chunk.Sequence);
            Assert.Equal($"chunk-{i}\n", Encoding.ASCII.GetString(chunk.Data.Span));
        }

        Assert.Equal(6, (await connection.ExpectMsgAsync<ResponseBodyEnd>()).Sequence);
        await connection.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    private static (long Sequence, string Body) Summary(ResponseReady ready)
    {
        Assert.Equal(200, ready.Response.StatusCode);
        return (ready.Sequence, ready.BodyText());
    }

    private sealed class AsyncHandler(Task<HttpResponse> work) : HttpHandlerActor
    {
        protected override void OnRequest(RequestContext context) => RespondAsync(context, work);
    }

    /// <summary>Counts the requests it served; <c>/async-fail</c> hands it async work that faults.</summary>
    private sealed class CountingAsyncHandler : HttpHandlerActor
    {
        private int _count;

        protected override void OnRequest(RequestContext context)
        {
            if (context.Request.Path == "/async-fail")
            {
                RespondAsync(context, Task.FromException<HttpResponse>(new InvalidOperationException("async work failed on purpose")));
                return;
            }

            _count++;
            context.Respond(HttpResponse.Text(200, _count.ToString(CultureInfo.InvariantCulture)));
        }
    }

    private sealed class StatefulHandler : HttpHandlerActor
    {
        private int _count;

        public sealed record Add(int Amount);

        protected override void OnRequest(RequestContext context)
        {
            if (context.Request.Path == "/throw")
            {
                throw new InvalidOperationException("crash on purpose");
            }

            _count++;
            context.Respond(HttpResponse.Text(200, _count.ToString(CultureInfo.InvariantCulture)));
        }

        protected override void OnMessage(object message)
        {
            if (message is Add add)
            {
                _count += add.Amount;
            }
            else
            {
                base.OnMessage(message);
            }
        }
    }
}
