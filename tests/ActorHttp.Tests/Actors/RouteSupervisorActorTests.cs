using System.Globalization;
using ActorHttp.Actors;
using ActorHttp.Handlers;
using ActorHttp.Protocol;
using ActorHttp.Tests.Support;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Xunit.Abstractions;

namespace ActorHttp.Tests.Actors;

/// <summary>One route's supervision: a crash costs one 500, a storm sheds load with 503, a broken constructor is retried later.</summary>
public sealed class RouteSupervisorActorTests(ITestOutputHelper output) : TestKit(output: output)
{
    private static readonly SupervisionSettings StormSettings = new()
    {
        MaxRestarts = 2,
        RestartWindow = TimeSpan.FromSeconds(10),
        RecoveryDelay = TimeSpan.FromMilliseconds(1500),
        HandlerInstances = 1,
    };

    [Fact]
    public async Task Crash_answers_500_for_that_request_and_the_restarted_handler_serves_the_next()
    {
        var connection = CreateTestProbe();
        var route = Sys.ActorOf(RouteSupervisorActor.Props(Props.Create<CountingHandler>(), 1, new SupervisionSettings(), "/t"));

        route.Tell(new HandleRequest(TestRequests.Get("/ok"), 0, connection.Ref));
        route.Tell(new HandleRequest(TestRequests.Get("/crash"), 1, connection.Ref));
        route.Tell(new HandleRequest(TestRequests.Get("/ok"), 2, connection.Ref));

        var before = await connection.ExpectMsgAsync<ResponseReady>();
        Assert.Equal((0, 200, "1"), (before.Sequence, before.Response.StatusCode, before.BodyText()));
        var crashed = await connection.ExpectMsgAsync<ResponseReady>();
        Assert.Equal((1, 500), (crashed.Sequence, crashed.Response.StatusCode));
        // The count starting over proves a fresh instance answered, i.e. the handler was restarted, not resumed.
        var after = await connection.ExpectMsgAsync<ResponseReady>();
        Assert.Equal((2, 200, "1"), (after.Sequence, after.Response.StatusCode, after.BodyText()));
    }

    [Fact]
    public async Task Crash_storm_sheds_load_with_503_until_the_recovery_delay_has_passed()
    {
        var connection = CreateTestProbe();
        var route = Sys.ActorOf(RouteSupervisorActor.Props(Props.Create<CountingHandler>(), 1, StormSettings, "/t"));

        for (var sequence = 0; sequence < 3; sequence++)
        {
            route.Tell(new HandleRequest(TestRequests.Get("/crash"), sequence, connection.Ref));
            var crashed = await connection.ExpectMsgAsync<ResponseReady>();
            Assert.Equal((sequence, 500), ((int)crashed.Sequence, crashed.Response.StatusCode));
        }

        // The 500 is sent from the handler's PreRestart, after the supervisor counted the crash, so the
        // third crash has already tripped the route when the next request arrives.
        route.Tell(new HandleRequest(TestRequests.Get("/ok"), 3, connection.Ref));
        var shed = await connection.ExpectMsgAsync<ResponseReady>();
        Assert.Equal((3, 503), ((int)shed.Sequence, shed.Response.StatusCode));
        Assert.Equal("2", shed.Response.Header("Retry-After"));

        var served = await PollUntilServedAsync(route, connection, firstSequence: 4);
        Assert.Equal(200, served.Response.StatusCode);
    }

    [Fact]
    public async Task Crashes_spread_over_more_than_the_window_do_not_trip_the_route()
    {
        var connection = CreateTestProbe();
        var settings = StormSettings with { RestartWindow = TimeSpan.FromMilliseconds(200) };
        var route = Sys.ActorOf(RouteSupervisorActor.Props(Props.Create<CountingHandler>(), 1, settings, "/t"));

        for (var sequence = 0; sequence < 4; sequence++)
        {
            route.Tell(new HandleRequest(TestRequests.Get("/crash"), sequence, connection.Ref));
            Assert.Equal(500, (await connection.ExpectMsgAsync<ResponseReady>()).Response.StatusCode);
            // Older crashes leave the window, so the count never exceeds max-restarts.
            await Task.Delay(settings.RestartWindow + TimeSpan.FromMilliseconds(100));
        }

        route.Tell(new HandleRequest(TestRequests.Get("/ok"), 4, connection.Ref));
        Assert.Equal(200, (await connection.ExpectMsgAsync<ResponseReady>()).Response.StatusCode);
    }

    [Fact]
    public async Task Handler_whose_constructor_throws_is_replaced_after_the_recovery_delay()
    {
        var connection = CreateTestProbe();
        var constructions = new ConstructionCounter(failures: 1);
        // A recovery delay well above any scheduling hiccup, so the first request surely lands before the replacement.
        var settings = StormSettings with { RecoveryDelay = TimeSpan.FromSeconds(1) };
        var route = Sys.ActorOf(RouteSupervisorActor.Props(Props.Create(() => new FailingConstructorHandler(constructions)), 1, settings, "/t"));

        // Whether this reaches the failing instance or arrives after it was removed, the answer is 503.
        route.Tell(new HandleRequest(TestRequests.Get("/ok"), 0, connection.Ref));
        var meanwhile = await connection.ExpectMsgAsync<ResponseReady>();
        Assert.Equal((0, 503), ((int)meanwhile.Sequence, meanwhile.Response.StatusCode));
        Assert.Equal("1", meanwhile.Response.Header("Retry-After"));

        var served = await PollUntilServedAsync(route, connection, firstSequence: 1);
        Assert.Equal("constructed 2 times", served.BodyText());
    }

    [Fact]
    public async Task Request_sent_to_a_handler_that_fails_to_start_is_answered()
    {
        var connection = CreateTestProbe();
        var constructions = new ConstructionCounter(failures: int.MaxValue);
        var route = Sys.ActorOf(RouteSupervisorActor.Props(Props.Create(() => new FailingConstructorHandler(constructions)), 1, StormSettings, "/t"));

        // Sent at once, these race the handler's failed start: each must still get an answer, not
        // wait for the connection's handler-timeout.
        for (var sequence = 0; sequence < 5; sequence++)
        {
            route.Tell(new HandleRequest(TestRequests.Get("/ok"), sequence, connection.Ref));
        }

        var sequences = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            var ready = await connection.ExpectMsgAsync<ResponseReady>();
            Assert.Equal(503, ready.Response.StatusCode);
            sequences.Add(ready.Sequence);
        }

        Assert.Equal([0, 1, 2, 3, 4], sequences.Order());
    }

    [Fact]
    public async Task Requests_are_spread_round_robin_over_the_instances()
    {
        var connection = CreateTestProbe();
        var route = Sys.ActorOf(RouteSupervisorActor.Props(Props.Create<CountingHandler>(), 2, new SupervisionSettings(), "/t"));

        for (var sequence = 0; sequence < 4; sequence++)
        {
            route.Tell(new HandleRequest(TestRequests.Get("/ok"), sequence, connection.Ref));
        }

        var senders = new HashSet<IActorRef>();
        var counts = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            counts.Add((await connection.ExpectMsgAsync<ResponseReady>()).BodyText());
            senders.Add(connection.LastSender);
        }

        Assert.Equal(2, senders.Count);
        // Each instance served two requests.
        Assert.Equal(["1", "1", "2", "2"], counts.Order());
    }

    /// <summary>Sends requests until one is served (not 503); every refusal on the way must carry Retry-After.</summary>
    private static async Task<ResponseReady> PollUntilServedAsync(IActorRef route, TestProbe connection, long firstSequence)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        for (var sequence = firstSequence; DateTime.UtcNow < deadline; sequence++)
        {
            route.Tell(new HandleRequest(TestRequests.Get("/ok"), sequence, connection.Ref));
            var ready = await connection.ExpectMsgAsync<ResponseReady>();
            Assert.Equal(sequence, ready.Sequence);
            if (ready.Response.StatusCode != 503)
            {
                return ready;
            }

            Assert.NotNull(ready.Response.Header("Retry-After"));
            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException("the route was never served again");
    }

    /// <summary>Counts the requests this instance served, so a restart shows as the count starting over.</summary>
    private sealed class CountingHandler : HttpHandlerActor
    {
        private int _served;

        protected override void OnRequest(RequestContext context)
        {
            if (context.Request.Path == "/crash")
            {
                throw new InvalidOperationException("crash on purpose");
            }

            _served++;
            context.Respond(HttpResponse.Text(200, _served.ToString(CultureInfo.InvariantCulture)));
        }
    }

    private sealed class ConstructionCounter(int failures)
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        /// <summary>True when this construction must fail.</summary>
        public bool Next(out int count)
        {
            count = Interlocked.Increment(ref _count);
            return count <= failures;
        }
    }

    private sealed class FailingConstructorHandler : HttpHandlerActor
    {
        private readonly int _construction;

        public FailingConstructorHandler(ConstructionCounter counter)
        {
            if (counter.Next(out _construction))
            {
                throw new InvalidOperationException("constructor fails on purpose");
            }
        }

        protected override void OnRequest(RequestContext context) =>
            context.Respond(HttpResponse.Text(200, $"constructed {_construction} times"));
    }
}
