using ActorHttp.Hosting;
using ActorHttp.Models;
using ActorHttp.Tests.Support;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace ActorHttp.Tests.Models;

/// <summary>What the model servers share with the actor model through the host: the access log, the per-client limit.</summary>
public sealed class ModelHostingTests
{
    [Theory]
    [InlineData(ConcurrencyModel.Threads)]
    [InlineData(ConcurrencyModel.Pool)]
    [InlineData(ConcurrencyModel.EventLoop)]
    [InlineData(ConcurrencyModel.Tasks)]
    public async Task Every_answer_goes_to_the_access_log(ConcurrencyModel model)
    {
        var collected = new CollectingSink();
        var logger = new LoggerConfiguration()
            .Filter.ByIncludingOnly(e => e.Properties.TryGetValue("SourceContext", out var source) && source.ToString() == "\"ActorHttp.AccessLog\"")
            .WriteTo.Sink(collected)
            .CreateLogger();
        var server = await ActorHttpServer.StartAsync(new ServerOptions
        {
            Host = "127.0.0.1",
            Port = 0,
            Model = model.ToString(),
            ConfigOverrides = ModelServerFixture.ShortTimeouts,
            Environment = new Dictionary<string, string>(),
            ModelRoutes = new ModelTestRoutes(model).Resolve,
            Logger = logger,
        });
        try
        {
            await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
            await client.SendAsync("GET /hello?x=1 HTTP/1.1\r\nHost: x\r\nUser-Agent: model-test/1.0\r\n\r\nGET /crash HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.Equal(200, (await client.ReadResponseAsync()).Status);
            Assert.Equal(500, (await client.ReadResponseAsync()).Status);
        }
        finally
        {
            // Stopping writes the lines still buffered.
            await server.DisposeAsync();
        }

        string Field(LogEvent logEvent, string name) => ((ScalarValue)logEvent.Properties[name]).Value!.ToString()!;
        Assert.Collection(
            collected.Events,
            hello =>
            {
                Assert.Equal(("127.0.0.1", "GET", "/hello?x=1", "200", "13"), (Field(hello, "ClientAddress"), Field(hello, "Method"), Field(hello, "Target"), Field(hello, "Status"), Field(hello, "Bytes")));
                Assert.Equal("model-test/1.0", Field(hello, "UserAgent"));
            },
            crash => Assert.Equal(("/crash", "500"), (Field(crash, "Target"), Field(crash, "Status"))));
    }

    [Fact]
    public async Task Past_max_connections_per_client_a_newcomer_from_that_client_gets_503()
    {
        await using var server = await ModelServerFixture.StartAsync(ConcurrencyModel.Tasks, "actorhttp.server.max-connections-per-client = 1");
        await using var first = await RawHttpClient.ConnectAsync(server.Endpoint);
        await first.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await first.ReadResponseAsync()).Status);

        await using var second = await RawHttpClient.ConnectAsync(server.Endpoint);
        var refused = await second.ReadResponseAsync();

        Assert.Equal(503, refused.Status);
        Assert.Equal("1", refused.Header("Retry-After"));
        Assert.Contains("already has 1 connections open", refused.BodyText);
    }

    [Fact]
    public async Task Without_the_demo_a_model_answers_404_as_an_application_that_maps_no_route()
    {
        await using var server = await ActorHttpServer.StartAsync(new ServerOptions
        {
            Host = "127.0.0.1",
            Port = 0,
            ConfigOverrides = "actorhttp.server.model = threads",
            Environment = new Dictionary<string, string>(),
            Logger = Serilog.Core.Logger.None,
        });
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await client.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");

        var response = await client.ReadResponseAsync();

        Assert.Equal(404, response.Status);
        Assert.Equal("No resource at /hello.\n", response.BodyText);
    }

    [Fact]
    public async Task With_the_demo_a_model_serves_the_shared_routes()
    {
        await using var server = await TestServer.StartAsync("actorhttp.server.model = threads");
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await client.SendAsync("GET /cpu?us=10 HTTP/1.1\r\nHost: x\r\n\r\n");

        var response = await client.ReadResponseAsync();

        Assert.Equal(200, response.Status);
        Assert.StartsWith("Computed ", response.BodyText);
    }

    private sealed class CollectingSink : ILogEventSink
    {
        private readonly List<LogEvent> _events = [];

        public IReadOnlyList<LogEvent> Events
        {
            get
            {
                lock (_events)
                {
                    return [.. _events];
                }
            }
        }

        public void Emit(LogEvent logEvent)
        {
            lock (_events)
            {
                _events.Add(logEvent);
            }
        }
    }
}
