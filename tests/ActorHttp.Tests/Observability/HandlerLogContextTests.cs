using ActorHttp.Handlers;
using ActorHttp.Hosting;
using ActorHttp.Protocol;
using ActorHttp.Tests.Support;
using Akka.Actor;
using Akka.Event;
using Serilog.Events;

namespace ActorHttp.Tests.Observability;

/// <summary>
/// A handler's <c>Log</c> lines carry the request's id as the structured property <c>RequestId</c>
/// (not in the message text) while it handles that request, and only then.
/// </summary>
public sealed class HandlerLogContextTests : IAsyncLifetime
{
    private readonly CollectingSink _log = new();
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActorHttpServer _server = null!;

    public async Task InitializeAsync() => _server = await ObservedServer.StartAsync(_log, routes: routes => routes
        // One instance: every request here goes to the same handler actor.
        .MapGet("/log/{label}", Props.Create(() => new LoggingHandler(_gate.Task)), instances: 1));

    public async Task DisposeAsync()
    {
        _gate.TrySetResult();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_handler_line_carries_the_request_id_as_a_property()
    {
        var response = await GetAsync("/log/plain", "test-123");
        Assert.Equal(200, response.Status);

        var line = await ObservedServer.WaitForEventAsync(_log, e => e.MessageTemplate.Text == "Answering {Label}" && ObservedServer.Text(e, "Label") == "plain");
        Assert.Equal("test-123", ObservedServer.Text(line, "RequestId"));
        // The template stays the handler's own: the id is a property, not glued into the text.
        Assert.Equal("Answering \"plain\"", line.RenderMessage());
        Assert.Equal(LogEventLevel.Information, line.Level);
    }

    [Fact]
    public async Task A_request_without_an_id_is_logged_with_the_generated_one()
    {
        var response = await GetAsync("/log/no-id", requestId: null);

        var generated = response.Header("X-Request-Id");
        Assert.Matches("^[0-9a-f]{32}$", generated);
        var line = await ObservedServer.WaitForEventAsync(_log, e => e.MessageTemplate.Text == "Answering {Label}" && ObservedServer.Text(e, "Label") == "no-id");
        Assert.Equal(generated, ObservedServer.Text(line, "RequestId"));
    }

    [Fact]
    public async Task A_line_logged_after_the_answer_has_no_request_id()
    {
        await GetAsync("/log/later", "later-1");

        // The handler tells itself to log once it has answered: that message is no request's.
        var after = await ObservedServer.WaitForEventAsync(_log, e => e.MessageTemplate.Text == "After the answer to {Label}" && ObservedServer.Text(e, "Label") == "later");
        Assert.False(after.Properties.ContainsKey("RequestId"));
        var during = Assert.Single(_log.Events, e => e.MessageTemplate.Text == "Answering {Label}" && ObservedServer.Text(e, "Label") == "later");
        Assert.Equal("later-1", ObservedServer.Text(during, "RequestId"));
    }

    [Fact]
    public async Task Async_work_keeps_its_own_request_id_while_the_handler_serves_another()
    {
        // "async" holds its work until the gate opens; meanwhile the same actor answers "plain-b".
        await using var slow = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await slow.SendAsync("GET /log/async HTTP/1.1\r\nHost: t\r\nX-Request-Id: id-a\r\n\r\n");
        await ObservedServer.WaitForEventAsync(_log, e => e.MessageTemplate.Text == "Answering {Label}" && ObservedServer.Text(e, "Label") == "async");
        await GetAsync("/log/plain-b", "id-b");
        _gate.SetResult();
        Assert.Equal(200, (await slow.ReadResponseAsync()).Status);

        var work = await ObservedServer.WaitForEventAsync(_log, e => e.MessageTemplate.Text == "Async work for {Label} done");
        Assert.Equal("id-a", ObservedServer.Text(work, "RequestId"));
        var other = Assert.Single(_log.Events, e => e.MessageTemplate.Text == "Answering {Label}" && ObservedServer.Text(e, "Label") == "plain-b");
        Assert.Equal("id-b", ObservedServer.Text(other, "RequestId"));
    }

    [Fact]
    public async Task With_request_ids_off_a_handler_line_has_none()
    {
        var sink = new CollectingSink();
        await using var server = await ObservedServer.StartAsync(sink, "actorhttp.telemetry.request-id = off", routes => routes
            .MapGet("/log/{label}", Props.Create(() => new LoggingHandler(Task.CompletedTask))));
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await client.SendAsync("GET /log/off HTTP/1.1\r\nHost: t\r\nX-Request-Id: ignored\r\n\r\n");
        await client.ReadResponseAsync();

        var line = await ObservedServer.WaitForEventAsync(sink, e => e.MessageTemplate.Text == "Answering {Label}");
        Assert.False(line.Properties.ContainsKey("RequestId"));
    }

    private async Task<RawResponse> GetAsync(string target, string? requestId)
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        var idField = requestId is null ? string.Empty : $"X-Request-Id: {requestId}\r\n";
        await client.SendAsync($"GET {target} HTTP/1.1\r\nHost: t\r\n{idField}\r\n");
        return await client.ReadResponseAsync();
    }

    /// <summary>Logs while answering; "later" also logs after its answer, "async" from work that waits for <paramref name="gate"/>.</summary>
    private sealed class LoggingHandler(Task gate) : HttpHandlerActor
    {
        protected override void OnRequest(RequestContext context)
        {
            var label = context.Request.RouteValues["label"];
            Log.Info("Answering {Label}", label);
            switch (label)
            {
                case "async":
                    // The adapter taken now keeps naming this request wherever the work logs.
                    var log = Log;
                    RespondAsync(context, AnswerAfterGate(log, label));
                    return;
                case "later":
                    context.Respond(HttpResponse.Text(200, "ok\n"));
                    Self.Tell(new LogAfterAnswer(label));
                    return;
                default:
                    context.Respond(HttpResponse.Text(200, "ok\n"));
                    return;
            }
        }

        protected override void OnMessage(object message)
        {
            if (message is LogAfterAnswer after)
            {
                Log.Info("After the answer to {Label}", after.Label);
                return;
            }

            Unhandled(message);
        }

        private async Task<HttpResponse> AnswerAfterGate(ILoggingAdapter log, string label)
        {
            await gate.ConfigureAwait(false);
            log.Info("Async work for {Label} done", label);
            return HttpResponse.Text(200, "ok\n");
        }

        private sealed record LogAfterAnswer(string Label);
    }
}
