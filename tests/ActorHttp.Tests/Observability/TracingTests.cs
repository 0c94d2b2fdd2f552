using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using ActorHttp.Hosting;
using ActorHttp.Observability;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Observability;

/// <summary>An activity per request from the source <c>ActorHttp</c>, child of the request's W3C traceparent, passed on by the proxy.</summary>
[Collection(ActivityListenerCollection.Name)]
public sealed class TracingTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly CollectingSink _log = new();
    private ActivityListener _listener = null!;
    private ActorHttpServer _upstream = null!;
    private ActorHttpServer _front = null!;

    public async Task InitializeAsync()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ServerTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
        _upstream = await TestServer.StartAsync(routes: TestRoutes.Add);
        _front = await ObservedServer.StartAsync(_log, $$"""
            actorhttp.proxy.routes = [
              { prefix = "/mirror", upstream = "http://127.0.0.1:{{_upstream.Endpoint.Port}}/echo", timeout = 5s }
            ]
            """);
    }

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        await _front.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task The_request_traceparent_becomes_the_parent_of_the_server_activity_and_its_trace_id_is_on_the_access_log_line()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var parentSpan = ActivitySpanId.CreateRandom();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_front.Endpoint.Port}") };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/test/users/7");
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId.ToHexString()}-{parentSpan.ToHexString()}-01");

        Assert.Equal(200, (int)(await http.SendAsync(request)).StatusCode);

        var activity = await WaitForActivity(a => a.TraceId == traceId);
        Assert.Equal(parentSpan, activity.ParentSpanId);
        Assert.Equal(ActivityKind.Server, activity.Kind);
        Assert.Equal("GET /test/users/{id}", activity.DisplayName);
        Assert.Equal("/test/users/{id}", activity.GetTagItem("http.route"));
        Assert.Equal(200, activity.GetTagItem("http.response.status_code"));
        var line = await ObservedServer.WaitForEventAsync(_log, e => ObservedServer.IsAccessLine(e) && ObservedServer.Text(e, "Target") == "/test/users/7");
        Assert.Equal(traceId.ToHexString(), ObservedServer.Text(line, "TraceId"));
    }

    [Fact]
    public async Task A_handler_line_logged_for_a_traced_request_carries_its_trace_id()
    {
        var traceId = ActivityTraceId.CreateRandom();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_front.Endpoint.Port}") };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/crash");
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        request.Headers.TryAddWithoutValidation("X-Request-Id", "traced-crash-1");

        Assert.Equal(500, (int)(await http.SendAsync(request)).StatusCode);

        // The crash's line, written by the handler base through the handler's Log.
        var line = await ObservedServer.WaitForEventAsync(_log, e => ObservedServer.Text(e, "RequestId") == "traced-crash-1" && !ObservedServer.IsAccessLine(e));
        Assert.Equal(traceId.ToHexString(), ObservedServer.Text(line, "TraceId"));
    }

    [Fact]
    public async Task The_proxy_sends_the_upstream_a_traceparent_of_the_same_trace_whose_parent_is_the_front_span()
    {
        var traceId = ActivityTraceId.CreateRandom();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_front.Endpoint.Port}") };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/mirror");
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        using var response = await http.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);

        // The upstream (the echo route) shows the fields it was sent.
        using var echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var headers = echo.RootElement.GetProperty("headers").EnumerateArray().ToDictionary(h => h[0].GetString()!, h => h[1].GetString(), StringComparer.OrdinalIgnoreCase);
        var sent = headers["traceparent"]!.Split('-');
        Assert.Equal(traceId.ToHexString(), sent[1]);
        var front = await WaitForActivity(a => a.TraceId == traceId && a.DisplayName.StartsWith("GET /mirror", StringComparison.Ordinal));
        Assert.Equal(front.SpanId.ToHexString(), sent[2]);

        // The upstream server's own activity continues the same trace, under the front's span.
        var upstream = await WaitForActivity(a => a.TraceId == traceId && a.ParentSpanId == front.SpanId);
        Assert.Equal("GET /echo", upstream.DisplayName);
    }

    [Fact]
    public async Task A_request_without_traceparent_starts_a_trace_of_its_own()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_front.Endpoint.Port}") };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/test/users/own-trace");
        request.Headers.Add("X-Request-Id", "own-trace-request");

        Assert.Equal(200, (int)(await http.SendAsync(request)).StatusCode);

        var activity = await WaitForActivity(a => Equals(a.GetTagItem("http.request.id"), "own-trace-request"));
        Assert.Equal(default, activity.ParentSpanId);
        Assert.NotEqual(default, activity.TraceId);
    }

    [Fact]
    public async Task A_request_whose_client_goes_away_before_its_answer_ends_its_activity_as_an_error()
    {
        using (var client = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp))
        {
            await client.ConnectAsync(_front.Endpoint);
            await client.SendAsync("GET /slow?ms=3000 HTTP/1.1\r\nHost: t\r\nX-Request-Id: abandoned-1\r\n\r\n"u8.ToArray());
            // Once the request is with its handler, the client resets the connection (a crash, not a polite close).
            await Task.Delay(200);
            client.LingerState = new System.Net.Sockets.LingerOption(true, 0);
        }

        var activity = await WaitForActivity(a => Equals(a.GetTagItem("http.request.id"), "abandoned-1"));
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
        Assert.Equal("the connection closed before the answer was written", activity.StatusDescription);
        Assert.Null(Activity.Current);
    }

    private async Task<Activity> WaitForActivity(Func<Activity, bool> match)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_stopped.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("no such activity stopped: " + string.Join(", ", _stopped.Select(a => a.DisplayName)));
    }
}
