using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using ActorHttp.Hosting;
using ActorHttp.Protocol;
using ActorHttp.Tests.Handlers;
using ActorHttp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Serilog.Events;
using Xunit;

namespace ActorHttp.Tests.EndToEnd;

/// <summary>
/// The ways of writing handlers, end to end over real sockets: handlers built from the application's
/// services, functions (sync and async, with their cancellation), constraints and query values, and
/// answers streamed from a stream, a pipe or an async sequence.
/// </summary>
public sealed class WritingHandlersTests : IAsyncLifetime
{
    private const int StreamedBytes = 8 * 1024 * 1024;

    private readonly CollectingSink _logs = new();
    private readonly ProbeLedger _ledger = new();
    private readonly TaskCompletionSource<string> _waitCancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _sourceDisposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _sequenceCancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActorHttpServer _server = null!;

    public async Task InitializeAsync() => _server = await StartAsync("actorhttp.server.handler-timeout = 60s");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_handler_mapped_by_type_gets_its_services_from_the_applications_container()
    {
        var response = await GetAsync("/weather/Oslo");

        Assert.Equal(200, response.Status);
        Assert.Equal("Oslo: sunny", response.BodyText);
    }

    [Fact]
    public async Task A_crashed_handler_restarts_with_fresh_scoped_services_and_its_old_scope_is_disposed()
    {
        var first = int.Parse((await GetAsync("/scope")).BodyText);

        var crashed = await GetAsync("/scope/crash");
        var second = int.Parse((await GetAsync("/scope")).BodyText);

        Assert.Equal(500, crashed.Status);
        Assert.NotEqual(first, second);
        Assert.True(_ledger.IsDisposed(first));
        Assert.False(_ledger.IsDisposed(second));
    }

    [Fact]
    public async Task A_handler_whose_services_cannot_be_resolved_makes_its_route_answer_503_with_Retry_After()
    {
        var response = await GetAsync("/unresolvable");

        Assert.Equal(503, response.Status);
        Assert.NotNull(response.Header("Retry-After"));

        // Retried with back-off: the stack is logged once, each retry after it is one warning line.
        await LoggedAsync("still fails to start");

        var errors = _logs.Events.Where(e => e.Level == LogEventLevel.Error && e.Exception?.ToString().Contains(nameof(IUnregisteredService)) == true).ToList();
        Assert.Single(errors);
        Assert.All(_logs.Events.Where(e => Mentions(e, "still fails to start")), warning => Assert.Null(warning.Exception));
    }

    [Fact]
    public async Task A_function_route_answers_and_its_crash_is_a_500_logged_once_with_its_stack()
    {
        var hello = await GetAsync("/hello");
        var crashed = await GetAsync("/lambda-crash");
        var asyncCrashed = await GetAsync("/async-crash");
        var after = await GetAsync("/hello");

        Assert.Equal("hi", hello.BodyText);
        Assert.Equal(500, crashed.Status);
        Assert.Equal(500, asyncCrashed.Status);
        Assert.Equal("hi", after.BodyText);
        // Logging is asynchronous (Akka's logger actor): each crash's line is awaited, and the next
        // crash's line, which comes through the same logger after it, shows that no second one followed.
        await LoggedAsync("lambda crash on purpose");
        await LoggedAsync("async crash on purpose");
        Assert.Equal(500, (await GetAsync("/lambda-crash?again")).Status);
        await LoggedAsync("/lambda-crash?again");
        var syncLines = _logs.Events.Where(e => Mentions(e, "lambda crash on purpose") && !Mentions(e, "?again")).ToList();
        var asyncLines = _logs.Events.Where(e => Mentions(e, "async crash on purpose")).ToList();
        Assert.Equal(LogEventLevel.Error, Assert.Single(syncLines).Level);
        Assert.Equal(LogEventLevel.Error, Assert.Single(asyncLines).Level);
        Assert.Contains("at ", syncLines[0].Exception!.StackTrace);
    }

    [Fact]
    public async Task An_async_function_answers_and_reads_route_values_and_query_values()
    {
        var response = await GetAsync("/greet/7?name=Ada&name=Grace&x=caf%C3%A9+au%20lait");

        Assert.Equal(200, response.Status);
        Assert.Equal("7: Ada,Grace; café au lait", response.BodyText);
    }

    [Fact]
    public async Task A_failed_constraint_is_a_404_even_for_a_method_the_route_does_not_serve()
    {
        Assert.Equal(200, (await GetAsync("/greet/7")).Status);
        Assert.Equal(404, (await GetAsync("/greet/seven")).Status);
        Assert.Equal(404, (await SendAsync("POST /greet/seven HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")).Status);
        Assert.Equal(405, (await SendAsync("POST /greet/7 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")).Status);
        Assert.Equal("page none", (await GetAsync("/pages")).BodyText);
        Assert.Equal("page 3", (await GetAsync("/pages/3")).BodyText);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_token_of_an_async_function_fires_when_the_client_goes_away(bool reset)
    {
        var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync("GET /wait HTTP/1.1\r\nHost: t\r\n\r\n");
        await _waitStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));

        if (reset)
        {
            client.Socket.LingerState = new LingerOption(true, 0);
        }

        await client.DisposeAsync();

        // handler-timeout is a minute here: only the client's going can have fired it this soon.
        Assert.Equal("cancelled", await _waitCancelled.Task.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task The_token_of_an_async_function_fires_when_the_handler_deadline_passes()
    {
        await using var server = await StartAsync("actorhttp.server.handler-timeout = 300ms");
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);

        await client.SendAsync("GET /wait HTTP/1.1\r\nHost: t\r\n\r\n");
        var response = await client.ReadResponseAsync();

        Assert.Equal(503, response.Status);
        Assert.Equal("cancelled", await _waitCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData("/stream/enumerable")]
    [InlineData("/stream/stream")]
    [InlineData("/stream/pipe")]
    public async Task A_big_streamed_answer_read_slowly_arrives_whole_and_in_order(string path)
    {
        using var client = SlowReadingClient();

        using var response = await client.GetAsync($"http://127.0.0.1:{_server.Endpoint.Port}{path}", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[4096];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
            if (total % (256 * 1024) < read)
            {
                // A slow reader: the server has to wait for it, a piece at a time.
                await Task.Delay(1);
            }
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(StreamedBytes, total);
        Assert.Equal(SHA256.HashData(Pattern(StreamedBytes)), hash.GetHashAndReset());
    }

    [Fact]
    public async Task A_client_that_goes_away_mid_stream_has_the_source_disposed_and_its_token_cancelled()
    {
        var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync("GET /stream/endless HTTP/1.1\r\nHost: t\r\n\r\n");
        var head = new byte[1024];
        Assert.True(await client.Socket.ReceiveAsync(head) > 0);

        client.Socket.LingerState = new LingerOption(true, 0);
        await client.DisposeAsync();

        await _sourceDisposed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await _sequenceCancelled.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_HEAD_request_to_a_streamed_route_reads_nothing_of_its_source_even_an_endless_one()
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);

        await client.SendAsync("HEAD /stream/endless HTTP/1.1\r\nHost: t\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
        var head = await client.ReadResponseAsync(headRequest: true);
        var next = await client.ReadResponseAsync();

        Assert.Equal(200, head.Status);
        Assert.Empty(head.Body);
        Assert.Equal("hi", next.BodyText);
    }

    private readonly TaskCompletionSource _waitStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Task<ActorHttpServer> StartAsync(string overrides) =>
        ActorHttpServer.StartAsync(new ServerOptions
        {
            Host = "127.0.0.1",
            Port = 0,
            ConfigOverrides = TestServer.FastTimeouts + "\n" + overrides,
            Environment = new Dictionary<string, string>(),
            Logger = new LoggerConfiguration().MinimumLevel.Information().WriteTo.Sink(_logs).CreateLogger(),
            ConfigureServices = services => services
                .AddSingleton<Forecasts>()
                .AddSingleton(_ledger)
                .AddScoped<ScopedProbe>(),
            Routes = Map,
        });

    private void Map(RouteBuilder routes) => routes
        .MapGet<WeatherHandler>("/weather/{city}")
        .MapGet<ScopeHandler>("/scope/{action?}", instances: 1)
        .MapGet<NeedsUnregisteredHandler>("/unresolvable", instances: 1)
        .MapGet("/hello", _ => HttpResponse.Text(200, "hi"))
        .MapGet("/lambda-crash", _ => throw new InvalidOperationException("lambda crash on purpose"))
        .MapGet("/async-crash", async (_, cancellationToken) =>
        {
            await Task.Yield();
            throw new InvalidOperationException("async crash on purpose");
        })
        .MapGet("/greet/{id:int}", async (ctx, cancellationToken) =>
        {
            await Task.Yield();
            var query = ctx.Request.QueryValues;
            var x = query.TryGetValue("x", out var value) ? value.ToString() : "-";
            var names = query.TryGetValue("name", out var given) ? given.ToString() : "-";
            return HttpResponse.Text(200, $"{ctx.Request.RouteValues["id"]}: {names}; {x}");
        })
        .MapGet("/pages/{page:int?}", ctx => HttpResponse.Text(200, $"page {(ctx.Request.RouteValues.TryGetValue("page", out var page) ? page : "none")}"))
        .MapGet("/wait", async (_, cancellationToken) =>
        {
            using var registration = cancellationToken.Register(() => _waitCancelled.TrySetResult("cancelled"));
            _waitStarted.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return HttpResponse.Text(200, "never");
        })
        .MapGet("/stream/enumerable", _ => HttpResponse.StreamBody(200, Pieces(StreamedBytes, CancellationToken.None)))
        .MapGet("/stream/stream", _ => HttpResponse.StreamBody(200, new MemoryStream(Pattern(StreamedBytes)), length: StreamedBytes))
        .MapGet("/stream/pipe", _ => HttpResponse.StreamBody(200, PatternPipe(StreamedBytes)))
        .MapGet("/stream/endless", _ => HttpResponse.StreamBody(200, Endless(CancellationToken.None)));

    private static byte[] Pattern(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)((i * 31) ^ (i >> 12));
        }

        return bytes;
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Pieces(int length, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var all = Pattern(length);
        for (var offset = 0; offset < length; offset += 40_000)
        {
            await Task.Yield();
            yield return all.AsMemory(offset, Math.Min(40_000, length - offset));
        }
    }

    private static System.IO.Pipelines.PipeReader PatternPipe(int length)
    {
        var pipe = new System.IO.Pipelines.Pipe(new System.IO.Pipelines.PipeOptions(pauseWriterThreshold: 128 * 1024, resumeWriterThreshold: 64 * 1024));
        _ = Task.Run(async () =>
        {
            var all = Pattern(length);
            for (var offset = 0; offset < length; offset += 10_000)
            {
                var result = await pipe.Writer.WriteAsync(all.AsMemory(offset, Math.Min(10_000, length - offset)));
                if (result.IsCompleted)
                {
                    break;
                }
            }

            await pipe.Writer.CompleteAsync();
        });
        return pipe.Reader;
    }

    private async IAsyncEnumerable<ReadOnlyMemory<byte>> Endless([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(() => _sequenceCancelled.TrySetResult());
        var piece = new byte[64 * 1024];
        try
        {
            while (true)
            {
                await Task.Yield();
                yield return piece;
            }
        }
        finally
        {
            _sourceDisposed.TrySetResult();
        }
    }

    private static HttpClient SlowReadingClient() => new(new SocketsHttpHandler
    {
        // A small receive buffer keeps little in the kernel, so the server has to keep to this reader's pace.
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 8 * 1024, NoDelay = true };
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    });

    private async Task LoggedAsync(string text)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!_logs.Events.Any(e => Mentions(e, text)))
        {
            await Task.Delay(20, deadline.Token);
        }
    }

    private static bool Mentions(LogEvent logEvent, string text) =>
        logEvent.Exception?.ToString().Contains(text, StringComparison.Ordinal) == true || logEvent.RenderMessage().Contains(text, StringComparison.Ordinal);

    private async Task<RawResponse> GetAsync(string target) => await SendAsync($"GET {target} HTTP/1.1\r\nHost: t\r\n\r\n");

    private async Task<RawResponse> SendAsync(string request)
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync(request);
        return await client.ReadResponseAsync();
    }
}
