using System.Net;
using ActorHttp.Handlers;
using ActorHttp.Hosting;
using ActorHttp.Protocol;
using ActorHttp.Tests.Observability;
using ActorHttp.Tests.Support;
using Akka.Event;
using Serilog.Events;

namespace ActorHttp.Tests.Cluster;

/// <summary>
/// An event-sourced entity behind a sharded route logs its lines with the request's
/// <c>RequestId</c>, as any handler does: while it handles the request, once its event is stored,
/// and on the 500 of a crash; a line it logs for no request has none.
/// </summary>
public sealed class EntityLogContextTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("actorhttp-entity-log-").FullName;
    private readonly CollectingSink _log = new();
    private ActorHttpServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await ObservedServer.StartAsync(_log, ClusterTestConfig.SingleNode(_dataDirectory), routes =>
            routes.MapSharded<LoggingEntity>("/logging/{name}", typeName: "logging", entityId: "name"));
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_server.Endpoint.Port}"), Timeout = TimeSpan.FromSeconds(30) };
        await ClusterTestConfig.WaitUntilCartsAnswerAsync(_http);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task An_entitys_lines_carry_the_request_id_while_it_works_on_the_request_and_not_after()
    {
        var name = Guid.NewGuid().ToString("N");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync($"/logging/{name}", "entity-req-1")).StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, (await SendAsync($"/logging/{name}?crash=1", "entity-crash-1")).StatusCode);

        var handling = await ObservedServer.WaitForEventAsync(_log, e => e.MessageTemplate.Text == "Entity {Name} got {Path}" && ObservedServer.Text(e, "Name") == name);
        var stored = await ObservedServer.WaitForEventAsync(_log, e => e.MessageTemplate.Text == "Entity {Name} stored its event" && ObservedServer.Text(e, "Name") == name);
        var idle = await ObservedServer.WaitForEventAsync(_log, e => e.MessageTemplate.Text == "Entity {Name} has nothing to do" && ObservedServer.Text(e, "Name") == name);
        var crash = await ObservedServer.WaitForEventAsync(_log, e => e.MessageTemplate.Text.StartsWith("Entity {PersistenceId} failed on {Method} {Target}", StringComparison.Ordinal) && ObservedServer.Text(e, "PersistenceId") == "logging-" + name);

        Assert.Equal("entity-req-1", ObservedServer.Text(handling, "RequestId"));
        Assert.Equal("entity-req-1", ObservedServer.Text(stored, "RequestId"));
        Assert.False(idle.Properties.ContainsKey("RequestId"));
        Assert.Equal("entity-crash-1", ObservedServer.Text(crash, "RequestId"));
        Assert.Equal(LogEventLevel.Error, crash.Level);
    }

    private Task<HttpResponseMessage> SendAsync(string path, string requestId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Request-Id", requestId);
        return _http.SendAsync(request);
    }
}

/// <summary>An event-sourced entity that logs while it handles a request, once its event is stored, and after (for no request); it throws on <c>?crash=1</c>.</summary>
public sealed class LoggingEntity(string name) : PersistentHttpEntity
{
    public override string PersistenceId => "logging-" + name;

    protected override void OnRequest(RequestContext context)
    {
        if (context.Request.Query == "crash=1")
        {
            throw new InvalidOperationException("crash on purpose");
        }

        Log.Info("Entity {Name} got {Path}", name, context.Request.Path);
        PersistThenRespond(context, name, stored =>
        {
            Log.Info("Entity {Name} stored its event", name);
            // Logged on a message of its own, after the answer: no request's line.
            Self.Tell(IdleMessage.Instance, Self);
            return HttpResponse.Text(200, "stored\n");
        });
    }

    protected override void ApplyEvent(object @event)
    {
    }

    protected override void OnMessage(object message)
    {
        if (message is IdleMessage)
        {
            Log.Info("Entity {Name} has nothing to do", name);
            return;
        }

        base.OnMessage(message);
    }

    private sealed class IdleMessage
    {
        public static readonly IdleMessage Instance = new();
    }
}
