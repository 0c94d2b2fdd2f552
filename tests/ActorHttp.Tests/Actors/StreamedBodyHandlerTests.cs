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
/// The handler base with streamed request bodies: pieces reach the right request's context, and a
/// crash answers 500 for every request whose body the crashed instance was reading.
/// </summary>
public sealed class StreamedBodyHandlerTests(ITestOutputHelper output) : TestKit(output: output)
{
    [Fact]
    public async Task Pieces_from_two_connections_reach_their_own_requests()
    {
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        var handler = Sys.ActorOf(Props.Create(() => new CollectingHandler()));

        // Both requests carry sequence 0: only the connection tells them apart.
        handler.Tell(new HandleRequest(Streamed("/a"), 0, first.Ref), first.Ref);
        handler.Tell(new HandleRequest(Streamed("/b"), 0, second.Ref), second.Ref);
        await first.ExpectMsgAsync<ReadRequestBody>();
        await second.ExpectMsgAsync<ReadRequestBody>();
        handler.Tell(new RequestBodyChunk(0, "one"u8.ToArray()), first.Ref);
        handler.Tell(new RequestBodyChunk(0, "two"u8.ToArray()), second.Ref);
        await first.ExpectMsgAsync<ReadRequestBody>();
        await second.ExpectMsgAsync<ReadRequestBody>();
        handler.Tell(new RequestBodyEnd(0, HttpHeaders.Empty), second.Ref);
        handler.Tell(new RequestBodyEnd(0, HttpHeaders.Empty), first.Ref);

        Assert.Equal("/b got two", (await second.ExpectMsgAsync<ResponseReady>()).BodyText());
        Assert.Equal("/a got one", (await first.ExpectMsgAsync<ResponseReady>()).BodyText());
    }

    [Fact]
    public async Task A_crash_on_one_body_answers_500_for_every_body_the_instance_was_reading()
    {
        var failing = CreateTestProbe();
        var bystander = CreateTestProbe();
        var handler = Sys.ActorOf(Props.Create(() => new CollectingHandler()));
        handler.Tell(new HandleRequest(Streamed("/a"), 3, failing.Ref), failing.Ref);
        handler.Tell(new HandleRequest(Streamed("/b"), 5, bystander.Ref), bystander.Ref);
        await failing.ExpectMsgAsync<ReadRequestBody>();
        await bystander.ExpectMsgAsync<ReadRequestBody>();

        handler.Tell(new RequestBodyChunk(3, "boom"u8.ToArray()), failing.Ref);

        var crashed = await failing.ExpectMsgAsync<ResponseReady>();
        var orphaned = await bystander.ExpectMsgAsync<ResponseReady>();
        Assert.Equal((3, 500), (crashed.Sequence, crashed.Response.StatusCode));
        Assert.Equal((5, 500), (orphaned.Sequence, orphaned.Response.StatusCode));

        // The restarted instance serves new requests.
        handler.Tell(new HandleRequest(Streamed("/c"), 6, bystander.Ref), bystander.Ref);
        await bystander.ExpectMsgAsync<ReadRequestBody>();
    }

    [Fact]
    public async Task An_abort_is_passed_on_once_and_later_pieces_of_that_request_are_ignored()
    {
        var connection = CreateTestProbe();
        var handler = Sys.ActorOf(Props.Create(() => new CollectingHandler()));
        handler.Tell(new HandleRequest(Streamed("/a"), 1, connection.Ref), connection.Ref);
        await connection.ExpectMsgAsync<ReadRequestBody>();

        handler.Tell(new RequestBodyAborted(1, "the client went away"), connection.Ref);
        handler.Tell(new RequestBodyChunk(1, "late"u8.ToArray()), connection.Ref);

        await connection.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        Assert.Equal(["/a: the client went away"], await handler.Ask<List<string>>(CollectingHandler.GetAborts.Instance, TimeSpan.FromSeconds(3)));
    }

    private static HttpRequest Streamed(string path) => TestRequests.Make("POST", path) with { BodyStreamed = true };

    /// <summary>Reads each body whole and answers with it; a piece saying "boom" crashes it.</summary>
    private sealed class CollectingHandler : HttpHandlerActor
    {
        private readonly Dictionary<(IActorRef, long), StringBuilder> _bodies = [];
        private readonly List<string> _aborts = [];

        protected override void OnRequest(RequestContext context)
        {
            _bodies[context.StreamKey] = new StringBuilder();
            context.ReadBody();
        }

        protected override void OnRequestBody(RequestContext context, ReadOnlyMemory<byte> data)
        {
            var text = Encoding.UTF8.GetString(data.Span);
            if (text == "boom")
            {
                throw new InvalidOperationException("a body piece crashed the handler on purpose");
            }

            _bodies[context.StreamKey].Append(text);
            context.ReadBody();
        }

        protected override void OnRequestBodyEnd(RequestContext context, HttpHeaders trailers) =>
            context.Respond(HttpResponse.Text(200, $"{context.Request.Path} got {_bodies[context.StreamKey]}"));

        protected override void OnRequestBodyAborted(RequestContext context, string reason) =>
            _aborts.Add($"{context.Request.Path}: {reason}");

        protected override void OnMessage(object message)
        {
            if (message is GetAborts)
            {
                Sender.Tell(_aborts.ToList());
            }
            else
            {
                base.OnMessage(message);
            }
        }

        public sealed record GetAborts
        {
            public static readonly GetAborts Instance = new();
        }
    }
}
