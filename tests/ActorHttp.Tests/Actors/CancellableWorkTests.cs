using System.Diagnostics;
using ActorHttp.Actors;
using ActorHttp.Handlers;
using ActorHttp.Protocol;
using ActorHttp.Tests.Support;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Xunit;
using Xunit.Abstractions;

namespace ActorHttp.Tests.Actors;

/// <summary>
/// <c>RespondAsync(context, cancellationToken =&gt; …)</c> as one handler actor sees it: it asks its
/// connection to be told if the client goes away, and the token fires on that news or at the answer's deadline.
/// </summary>
public sealed class CancellableWorkTests(ITestOutputHelper output) : TestKit(output: output)
{
    [Fact]
    public async Task The_token_fires_when_the_connection_says_the_client_is_gone_and_the_answer_is_a_503()
    {
        var connection = CreateTestProbe();
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = Sys.ActorOf(AsyncFunctionHandler.Props(async (_, cancellationToken) =>
        {
            using var registration = cancellationToken.Register(cancelled.SetResult);
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return HttpResponse.Text(200, "never");
        }));

        handler.Tell(new HandleRequest(TestRequests.Get("/w"), 3, connection.Ref));
        Assert.Equal(3, (await connection.ExpectMsgAsync<WatchClient>()).Sequence);
        handler.Tell(new ClientGone(3, "the client closed the connection"), connection.Ref);

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var ready = await connection.ExpectMsgAsync<ResponseReady>();
        Assert.Equal((3, 503), (ready.Sequence, ready.Response.StatusCode));
    }

    [Fact]
    public async Task The_token_fires_when_the_answers_deadline_passes()
    {
        var connection = CreateTestProbe();
        var handler = Sys.ActorOf(AsyncFunctionHandler.Props(async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return HttpResponse.Text(200, "never");
        }));

        var due = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 5;
        handler.Tell(new HandleRequest(TestRequests.Get("/w"), 1, connection.Ref, AnswerDue: due));

        await connection.ExpectMsgAsync<WatchClient>();
        var ready = await connection.ExpectMsgAsync<ResponseReady>(TimeSpan.FromSeconds(10));
        Assert.Equal(503, ready.Response.StatusCode);
    }

    [Fact]
    public async Task News_of_another_requests_client_cancels_nothing()
    {
        var connection = CreateTestProbe();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = Sys.ActorOf(AsyncFunctionHandler.Props(async (_, cancellationToken) =>
        {
            await gate.Task.WaitAsync(cancellationToken);
            return HttpResponse.Text(200, "done");
        }));

        handler.Tell(new HandleRequest(TestRequests.Get("/w"), 5, connection.Ref));
        await connection.ExpectMsgAsync<WatchClient>();
        handler.Tell(new ClientGone(6, "another request"), connection.Ref);
        gate.SetResult();

        var ready = await connection.ExpectMsgAsync<ResponseReady>();
        Assert.Equal((5, 200), (ready.Sequence, ready.Response.StatusCode));
    }
}
