using System.Diagnostics;
using System.Globalization;
using ActorHttp.Actors;
using ActorHttp.Handlers;
using ActorHttp.Protocol;
using ActorHttp.Tests.Support;
using Akka.Actor;
using Akka.Event;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Xunit.Abstractions;

namespace ActorHttp.Tests.Actors;

/// <summary>
/// One route's supervision: a crash costs one 500 and a restart, never the route; a handler that
/// cannot be started is started again with back-off, and only then does the route answer 503.
/// </summary>
public sealed class RouteSupervisorActorTests(ITestOutputHelper output) : TestKit(output: output)
{
    /// <summary>Waits long enough that no start is retried by timer within a test.</summary>
    private static readonly SupervisionSettings SlowRetries = new()
    {
        StartBackoffMin = TimeSpan.FromSeconds(10),
        StartBackoffMax = TimeSpan.FromSeconds(20),
    };

    private static readonly SupervisionSettings QuickRetries = new()
    {
        StartBackoffMin = TimeSpan.FromMilliseconds(50),
        StartBackoffMax = TimeSpan.FromMilliseconds(400),
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
    public async Task Crash_is_logged_once_with_its_stack()
    {
        var connection = CreateTestProbe();
        var errors = CreateTestProbe();
        Sys.EventStream.Subscribe(errors.Ref, typeof(Error));
        var route = Sys.ActorOf(RouteSupervisorActor.Props(Props.Create<CountingHandler>(), 1, new SupervisionSettings(), "/t"));

        route.Tell(new HandleRequest(TestRequests.Get("/crash"), 0, connection.Ref));
        Assert.Equal(500, (await connection.ExpectMsgAsync<ResponseReady>()).Response.StatusCode);

        var error = await errors.ExpectMsgAsync<Error>();
        Assert.IsType<InvalidOperationException>(error.Cause);
        Assert.NotNull(error.Cause.StackTrace);
        Assert.Contains("GET /crash", error.ToString());
        // Akka's supervisor would log the same failure again; its logging is off.
        await errors.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Crashes_in_a_row_never_make_the_route_refuse_a_request()
    {
        var connection = CreateTestProbe();
        var route = Sys.ActorOf(RouteSupervisorActor.Props(Props.Create<CountingHandler>(), 2, new SupervisionSettings(), "/t"));

        // Far more crashes, far faster, than any crash limit would allow.
        for (var sequence = 0; sequence < 200; sequence++)
        {
            route.Tell(new HandleRequest(TestRequests.Get(sequence % 4 == 3 ? "/ok" : "/crash"), sequence, connection.Ref));
        }

        for (var i = 0; i < 200; i++)
        {
            var ready = await connection.ExpectMsgAsync<ResponseReady>();
            Assert.Equal(ready.Sequence % 4 == 3 ? 200 : 500, ready.Response.StatusCode);
        }
    }

    [Fact]
    public async Task Route_whose_handler_cannot_start_answers_503_with_Retry_After()
    {
        var connection = CreateTestProbe();
        var constructions = new ConstructionCounter(failsOn: _ => true);
        var route = Sys.ActorOf(RouteSupervisorActor.Props(Props.Create(() => new FailingConstructorHandler(constructions)), 1, SlowRetries, "/t"));

        // Sent at once, these race the handler's failed starts: each must still get an answer, not
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
            Assert.NotNull(ready.Response.Header("Retry-After"));
            sequences.Add(ready.Sequence);
        }

        Assert.Equal([0, 1, 2, 3, 4], sequences.Order());

        // Once the route has settled into waiting, Retry-After says how long: within the back-off.
        await AwaitConditionAsync(() => Task.FromResult(constructions.Count == 2));
        route.Tell(new HandleRequest(TestRequests.Get("/ok"), 5, connection.Ref));
        var waiting = await connection.ExpectMsgAsync<ResponseReady>();
        Assert.Equal(503, waiting.Response.StatusCode);
        Assert.InRange(int.Parse(waiting.Response.Header("Retry-After")!, CultureInfo.InvariantCulture), 1, 10);
    }

    [Fact]
    public async Task Failed_start_is_retried_at_once_then_waits_and_the_stack_is_logged_once_per_run_of_failures()
    {
        var errors = CreateTestProbe();
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(errors.Ref, typeof(Error));
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        var constructions = new ConstructionCounter(failsOn: _ => true);

        Sys.ActorOf(RouteSupervisorActor.Props(Props.Create(() => new FailingConstructorHandler(constructions)), 1, SlowRetries, "/t"));

        var error = await errors.ExpectMsgAsync<Error>();
        Assert.IsAssignableFrom<ActorInitializationException>(error.Cause);
        Assert.Contains("constructor fails on purpose", error.ToString());

        // The retry at once fails the same way: one line saying so, without the stack again.
        var retried = await warnings.FishForMessageAsync<Warning>(w => w.Message.ToString()!.Contains("still fails to start"));
        Assert.Contains("constructor fails on purpose", retried.ToString());
        Assert.Null(retried.Cause);

        // The third attempt waits start-backoff-min (10 s here).
        await errors.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(500));
        Assert.Equal(2, constructions.Count);
    }

    [Fact]
    public async Task Start_attempts_of_a_handler_that_never_starts_grow_farther_apart_up_to_the_maximum()
    {
        var constructions = new ConstructionCounter(failsOn: _ => true);

        Sys.ActorOf(RouteSupervisorActor.Props(Props.Create(() => new FailingConstructorHandler(constructions)), 1, QuickRetries, "/t"));
        await Task.Delay(TimeSpan.FromSeconds(3));

        // Waits of about 0, 50, 100, 200 ms, then 400 ms each: about 11 attempts in 3 s. A busy loop
        // would make thousands; generous bounds, since a loaded machine fires timers late.
        var attempts = constructions.Times;
        Assert.InRange(attempts.Count, 5, 20);
        var gaps = attempts.Zip(attempts.Skip(1), (earlier, later) => later - earlier).ToList();
        Assert.All(gaps.TakeLast(2), gap => Assert.True(gap >= TimeSpan.FromMilliseconds(300), $"late attempts {gap} apart"));
        Assert.All(gaps, gap => Assert.True(gap <= QuickRetries.StartBackoffMax + TimeSpan.FromSeconds(1), $"attempts {gap} apart"));
    }

    [Fact]
    public async Task Handler_whose_constructor_fails_a_few_times_serves_once_it_starts()
    {
        var connection = CreateTestProbe();
        var constructions = new ConstructionCounter(failsOn: count => count <= 3);
        var route = Sys.ActorOf(RouteSupervisorActor.Props(Props.Create(() => new FailingConstructorHandler(constructions)), 1, QuickRetries, "/t"));

        var served = await PollUntilServedAsync(route, connection, firstSequence: 0);

        Assert.Equal((200, "constructed 4 times"), (served.Response.StatusCode, served.BodyText()));
    }

    [Fact]
    public async Task Handler_whose_restart_fails_to_construct_is_started_again()
    {
        var connection = CreateTestProbe();
        // The first instance starts; the one its restart builds after a crash does not.
        var constructions = new ConstructionCounter(failsOn: count => count == 2);
        var route = Sys.ActorOf(RouteSupervisorActor.Props(Props.Create(() => new FailingConstructorHandler(constructions)), 1, SlowRetries, "/t"));

        route.Tell(new HandleRequest(TestRequests.Get("/crash"), 0, connection.Ref));
        Assert.Equal(500, (await connection.ExpectMsgAsync<ResponseReady>()).Response.StatusCode);

        // Retried at once, not after the 10 s back-off.
        var served = await PollUntilServedAsync(route, connection, firstSequence: 1);
        Assert.Equal("constructed 3 times", served.BodyText());
    }

    [Fact]
    public async Task Requests_stranded_in_a_handler_that_failed_to_start_are_served_by_a_running_one()
    {
        var connection = CreateTestProbe();
        // Of two instances, the second fails to start: a constructor that fails only sometimes.
        var constructions = new ConstructionCounter(failsOn: count => count == 2);
        var route = Sys.ActorOf(RouteSupervisorActor.Props(Props.Create(() => new FailingConstructorHandler(constructions)), 2, SlowRetries, "/t"));

        for (var sequence = 0; sequence < 10; sequence++)
        {
            route.Tell(new HandleRequest(TestRequests.Get("/ok"), sequence, connection.Ref));
        }

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(200, (await connection.ExpectMsgAsync<ResponseReady>()).Response.StatusCode);
        }
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
            await Task.Delay(20);
        }

        throw new Xunit.Sdk.XunitException("the route was never served");
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

    /// <summary>Counts and times constructions; <c>failsOn</c> picks, by number (from 1), those that throw.</summary>
    private sealed class ConstructionCounter(Func<int, bool> failsOn)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly List<TimeSpan> _times = [];

        public int Count
        {
            get
            {
                lock (_times)
                {
                    return _times.Count;
                }
            }
        }

        public IReadOnlyList<TimeSpan> Times
        {
            get
            {
                lock (_times)
                {
                    return [.. _times];
                }
            }
        }

        /// <summary>Records a construction; true when it must fail.</summary>
        public bool Next(out int count)
        {
            lock (_times)
            {
                _times.Add(_clock.Elapsed);
                count = _times.Count;
            }

            return failsOn(count);
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

        protected override void OnRequest(RequestContext context)
        {
            if (context.Request.Path == "/crash")
            {
                throw new InvalidOperationException("crash on purpose");
            }

            context.Respond(HttpResponse.Text(200, $"constructed {_construction} times"));
        }
    }
}
