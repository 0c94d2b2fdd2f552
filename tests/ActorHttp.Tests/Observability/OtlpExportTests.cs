using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ActorHttp.Hosting;
using ActorHttp.Observability;
using ActorHttp.Tests.Support;
using Akka.Configuration;

namespace ActorHttp.Tests.Observability;

/// <summary>
/// <c>actorhttp.telemetry.otlp-endpoint</c> end to end: a server exports its traces and metrics to
/// a collector on 127.0.0.1 (OTLP over HTTP, protobuf), sampled by its own sampler.
/// </summary>
[Collection(ActivityListenerCollection.Name)]
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Traces_a_caller_sampled_and_the_metrics_reach_the_collector_and_a_trace_not_sampled_does_not()
    {
        using var collector = OtlpCollector.Start();
        var sampledTrace = ActivityTraceId.CreateRandom();
        var unsampledTrace = ActivityTraceId.CreateRandom();
        // Ratio 0: only a caller's sampled traceparent is recorded; the pre-decision must not lose it.
        var server = await TestServer.StartAsync($$"""
            actorhttp.telemetry.otlp-endpoint = "http://127.0.0.1:{{collector.Port}}"
            actorhttp.telemetry.otlp-protocol = "http/protobuf"
            actorhttp.telemetry.sampling-ratio = 0
            actorhttp.telemetry.service-name = "otlp-export-test"
            """);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Endpoint.Port}") };
            Assert.Equal(200, (int)(await SendAsync(http, $"00-{sampledTrace.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01")).StatusCode);
            Assert.Equal(200, (int)(await SendAsync(http, $"00-{unsampledTrace.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-00")).StatusCode);
            Assert.Equal(200, (int)(await SendAsync(http, traceParent: null)).StatusCode);
        }
        finally
        {
            // Disposing the host shuts the tracer and meter providers down, which exports what they hold.
            await server.DisposeAsync();
        }

        var traces = collector.Bodies("/v1/traces");
        var metrics = collector.Bodies("/v1/metrics");
        Assert.All(collector.ContentTypes, type => Assert.Equal("application/x-protobuf", type));
        Assert.Contains(traces, body => Contains(body, Bytes(sampledTrace)) && Contains(body, Encoding.UTF8.GetBytes("GET /hello")));
        Assert.Contains(traces, body => Contains(body, Encoding.UTF8.GetBytes("otlp-export-test")));
        Assert.DoesNotContain(traces, body => Contains(body, Bytes(unsampledTrace)));
        Assert.Contains(metrics, body => Contains(body, Encoding.UTF8.GetBytes("http.server.request.duration")));
        Assert.Contains(metrics, body => Contains(body, Encoding.UTF8.GetBytes("http.server.active_requests")));
    }

    [Theory]
    [InlineData("actorhttp.telemetry.otlp-protocol = grpc", "grpc")]
    [InlineData("actorhttp.telemetry.otlp-protocol = \"http/protobuf\"", "http/protobuf")]
    [InlineData("", "grpc")]
    public void The_protocol_is_grpc_unless_http_protobuf_is_asked_for(string overrides, string expected) =>
        Assert.Equal(expected, ObservabilitySettings.FromConfig(ServerConfiguration.Load(overrides: overrides, environment: new Dictionary<string, string>())).OtlpProtocol);

    [Theory]
    [InlineData("actorhttp.telemetry.otlp-protocol = \"http/json\"", "actorhttp.telemetry.otlp-protocol must be grpc or http/protobuf")]
    [InlineData("actorhttp.telemetry.otlp-endpoint = \"collector:4317\"", "actorhttp.telemetry.otlp-endpoint must be empty or an http(s) URL")]
    public void An_unknown_protocol_or_an_endpoint_that_is_no_http_url_is_refused_naming_the_key(string overrides, string message)
    {
        var error = Assert.Throws<ConfigurationException>(() =>
            ObservabilitySettings.FromConfig(ServerConfiguration.Load(overrides: overrides, environment: new Dictionary<string, string>())));
        Assert.StartsWith(message, error.Message);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, string? traceParent)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/hello");
        if (traceParent is not null)
        {
            request.Headers.TryAddWithoutValidation("traceparent", traceParent);
        }

        return http.SendAsync(request);
    }

    private static byte[] Bytes(ActivityTraceId traceId)
    {
        var bytes = new byte[16];
        traceId.CopyTo(bytes);
        return bytes;
    }

    private static bool Contains(byte[] body, byte[] part) => body.AsSpan().IndexOf(part) >= 0;

    /// <summary>A stand-in OTLP/HTTP collector: keeps every body posted to it by path and answers 200 (an empty export response).</summary>
    private sealed class OtlpCollector : IDisposable
    {
        private readonly HttpListener _listener;
        private readonly ConcurrentQueue<(string Path, string? ContentType, byte[] Body)> _received = new();
        private readonly Task _serving;

        private OtlpCollector(HttpListener listener, int port)
        {
            _listener = listener;
            Port = port;
            _serving = Task.Run(ServeAsync);
        }

        public int Port { get; }

        public IEnumerable<string?> ContentTypes => _received.Select(r => r.ContentType);

        public static OtlpCollector Start()
        {
            // A free port, then the listener on it: HttpListener takes no port 0.
            for (var attempt = 0; ; attempt++)
            {
                using var probe = new TcpListener(IPAddress.Loopback, 0);
                probe.Start();
                var port = ((IPEndPoint)probe.LocalEndpoint).Port;
                probe.Stop();
                var listener = new HttpListener();
                listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                try
                {
                    listener.Start();
                    return new OtlpCollector(listener, port);
                }
                catch (HttpListenerException) when (attempt < 5)
                {
                    // Taken between the probe and the listener: try another.
                }
            }
        }

        public List<byte[]> Bodies(string path) => [.. _received.Where(r => r.Path == path).Select(r => r.Body)];

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _serving.Wait(TimeSpan.FromSeconds(5));
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception error) when (error is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                _received.Enqueue((context.Request.Url!.AbsolutePath, context.Request.ContentType, body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }
    }
}
