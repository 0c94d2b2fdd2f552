using System.Diagnostics;
using ActorHttp.Actors;
using ActorHttp.Handlers;
using ActorHttp.Protocol;
using ActorHttp.Tests.Support;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Xunit.Abstractions;

namespace ActorHttp.Tests.Actors;

/// <summary>
/// A flood of crashes: every one costs a restart, so a restart must be cheap. Logging is off here,
/// or the test would mostly measure writing twenty thousand stack traces to the test output.
/// </summary>
public sealed class RouteSupervisorCrashFloodTests(ITestOutputHelper output) : TestKit("akka.loglevel = OFF")
{
    [Fact]
    public async Task Twenty_thousand_crashes_are_each_a_500_and_the_requests_among_them_are_served()
    {
        const int Requests = 22_000;
        var connection = CreateTestProbe();
        var route = Sys.ActorOf(RouteSupervisorActor.Props(Props.Create<CrashOnDemandHandler>(), 2, new SupervisionSettings(), "/t"));
        var clock = Stopwatch.StartNew();

        // Every eleventh request is a good one: 20,000 crashes, 2,000 requests to serve.
        for (var sequence = 0; sequence < Requests; sequence++)
        {
            route.Tell(new HandleRequest(TestRequests.Get(IsGood(sequence) ? "/ok" : "/crash"), sequence, connection.Ref));
        }

        var answers = await connection.ReceiveNAsync(Requests, TimeSpan.FromSeconds(60)).ToListAsync();
        output.WriteLine($"{Requests} requests, 20,000 of them crashing, answered in {clock.Elapsed.TotalMilliseconds:F0} ms");

        Assert.All(answers.Cast<ResponseReady>(), ready => Assert.Equal(IsGood(ready.Sequence) ? 200 : 500, ready.Response.StatusCode));
        Assert.Equal(Requests, answers.Cast<ResponseReady>().Select(ready => ready.Sequence).Distinct().Count());
    }

    private static bool IsGood(long sequence) => sequence % 11 == 10;

    private sealed class CrashOnDemandHandler : HttpHandlerActor
    {
        protected override void OnRequest(RequestContext context)
        {
            if (context.Request.Path == "/crash")
            {
                throw new InvalidOperationException("crash on purpose");
            }

            context.Respond(HttpResponse.Text(200, "ok"));
        }
    }
}
