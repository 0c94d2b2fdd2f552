using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ActorHttp.Handlers.Shared;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Handlers.Shared;

/// <summary>Every shared handler in both forms: the same answers whichever form a model calls.</summary>
public sealed class SharedHandlerTests
{
    private const string PlainText = "text/plain; charset=utf-8";

    [Theory]
    [InlineData(HandlerForm.Sync)]
    [InlineData(HandlerForm.Async)]
    public async Task Hello_answers_the_plaintext_greeting(HandlerForm form)
    {
        var response = await new HelloRequestHandler().CallAsync(SharedHandlerSupport.Get("/hello"), form);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("Hello, World!", response.BodyText());
        Assert.Equal(PlainText, response.Header("Content-Type"));
    }

    [Theory]
    [InlineData(HandlerForm.Sync)]
    [InlineData(HandlerForm.Async)]
    public async Task Json_serializes_the_message(HandlerForm form)
    {
        var response = await new JsonRequestHandler().CallAsync(SharedHandlerSupport.Get("/json"), form);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("""{"message":"Hello, World!"}""", response.BodyText());
        Assert.Equal("application/json", response.Header("Content-Type"));
    }

    [Theory]
    [InlineData(HandlerForm.Sync)]
    [InlineData(HandlerForm.Async)]
    public async Task Echo_answers_what_was_parsed_in_the_conformance_shape(HandlerForm form)
    {
        var request = SharedHandlerSupport.Request("POST", "/echo/a?x=1", [("X-Case", "Kept"), ("x-case", "second")], Encoding.UTF8.GetBytes("hi!"));

        var response = await new EchoRequestHandler().CallAsync(request, form);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("application/json", response.Header("Content-Type"));
        using var echo = JsonDocument.Parse(response.Body);
        var root = echo.RootElement;
        Assert.Equal("POST", root.GetProperty("method").GetString());
        Assert.Equal("/echo/a?x=1", root.GetProperty("target").GetString());
        Assert.Equal("/echo/a", root.GetProperty("path").GetString());
        Assert.Equal("x=1", root.GetProperty("query").GetString());
        Assert.Equal("HTTP/1.1", root.GetProperty("version").GetString());
        Assert.Equal(
            [["Host", "x"], ["X-Case", "Kept"], ["x-case", "second"]],
            root.GetProperty("headers").EnumerateArray().Select(h => h.EnumerateArray().Select(v => v.GetString()!).ToArray()).ToArray());
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes("hi!")), root.GetProperty("body_base64").GetString());
        Assert.Equal(3, root.GetProperty("body_length").GetInt32());
    }

    [Theory]
    [InlineData(HandlerForm.Sync)]
    [InlineData(HandlerForm.Async)]
    public async Task Counter_answers_each_count_as_json(HandlerForm form)
    {
        var counter = new CounterRequestHandler(new InterlockedCounter());

        var first = await counter.CallAsync(SharedHandlerSupport.Get("/counter"), form);
        var second = await counter.CallAsync(SharedHandlerSupport.Get("/counter"), form);

        Assert.Equal(200, first.StatusCode);
        Assert.Equal("application/json", first.Header("Content-Type"));
        Assert.Equal("""{"count":1}""", first.BodyText());
        Assert.Equal("""{"count":2}""", second.BodyText());
    }

    [Theory]
    [InlineData(HandlerForm.Sync)]
    [InlineData(HandlerForm.Async)]
    public async Task Crash_throws_and_fail_0_answers_200_through_the_same_handler(HandlerForm form)
    {
        var crash = new CrashRequestHandler();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => crash.CallAsync(SharedHandlerSupport.Get("/crash"), form));
        var spared = await crash.CallAsync(SharedHandlerSupport.Get("/crash?x=1&fail=0"), form);
        var stillCrashing = await Assert.ThrowsAsync<InvalidOperationException>(() => crash.CallAsync(SharedHandlerSupport.Get("/crash?fail=1"), form));

        Assert.Equal("The /crash route fails on purpose.", error.Message);
        Assert.Equal(200, spared.StatusCode);
        Assert.Equal("Not crashing this time.\n", spared.BodyText());
        Assert.Equal(PlainText, spared.Header("Content-Type"));
        Assert.Equal(error.Message, stillCrashing.Message);
    }

    [Theory]
    [InlineData(HandlerForm.Sync)]
    [InlineData(HandlerForm.Async)]
    public async Task Slow_answers_after_the_delay_asked(HandlerForm form)
    {
        var started = Stopwatch.GetTimestamp();

        var response = await new SlowRequestHandler().CallAsync(SharedHandlerSupport.Get("/slow?ms=150"), form);

        // A lower bound only: a loaded machine may take any time longer. The slack covers timer granularity.
        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(140), $"answered after {Stopwatch.GetElapsedTime(started)}");
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("Answered after 150 ms.\n", response.BodyText());
        Assert.Equal(PlainText, response.Header("Content-Type"));
    }

    [Fact]
    public async Task Slow_waits_without_holding_the_calling_thread_in_its_async_form()
    {
        var pending = new SlowRequestHandler().HandleAsync(SharedHandlerSupport.Get("/slow?ms=200"), CancellationToken.None);

        // Returned before the delay: the caller's thread was given back at once.
        Assert.False(pending.IsCompleted);
        Assert.Equal("Answered after 200 ms.\n", (await pending).BodyText());
    }

    [Fact]
    public async Task Slow_waits_one_second_by_default_and_its_async_form_stops_when_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        var started = Stopwatch.GetTimestamp();
        var byDefault = new SlowRequestHandler().HandleAsync(SharedHandlerSupport.Get("/slow"), CancellationToken.None);
        var cancelled = new SlowRequestHandler().HandleAsync(SharedHandlerSupport.Get("/slow?ms=60000"), cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cancelled);
        Assert.Equal("Answered after 1000 ms.\n", (await byDefault).BodyText());
        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(990));
    }

    [Theory]
    [InlineData("/cpu?us=2000", 2000)]
    [InlineData("/cpu", 1000)]
    public async Task Cpu_hashes_for_the_time_asked_in_both_forms(string target, int microseconds)
    {
        foreach (var form in new[] { HandlerForm.Sync, HandlerForm.Async })
        {
            var started = Stopwatch.GetTimestamp();

            var response = await new CpuRequestHandler().CallAsync(SharedHandlerSupport.Get(target), form);

            Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMicroseconds(microseconds));
            Assert.Equal(200, response.StatusCode);
            Assert.Equal(PlainText, response.Header("Content-Type"));
            var text = response.BodyText();
            Assert.Matches($@"^Computed [1-9][0-9]* SHA-256 hashes in {microseconds} us\.\n$", text);
        }
    }

    [Fact]
    public async Task Cpu_runs_on_the_calling_thread_even_in_its_async_form()
    {
        var call = new CpuRequestHandler().HandleAsync(SharedHandlerSupport.Get("/cpu?us=500"), CancellationToken.None);

        Assert.True(call.IsCompleted);
        Assert.Equal(200, (await call).StatusCode);
    }

    [Theory]
    [InlineData(HandlerForm.Sync)]
    [InlineData(HandlerForm.Async)]
    public async Task Block_holds_the_thread_for_the_time_asked(HandlerForm form)
    {
        var started = Stopwatch.GetTimestamp();

        var response = await new BlockRequestHandler().CallAsync(SharedHandlerSupport.Get("/block?ms=120"), form);

        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(110), $"answered after {Stopwatch.GetElapsedTime(started)}");
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("Blocked a thread for 120 ms.\n", response.BodyText());
        Assert.Equal(PlainText, response.Header("Content-Type"));
    }

    [Fact]
    public async Task Block_blocks_its_caller_even_in_its_async_form_and_waits_50_ms_by_default()
    {
        var started = Stopwatch.GetTimestamp();

        var call = new BlockRequestHandler().HandleAsync(SharedHandlerSupport.Get("/block"), CancellationToken.None);

        // The sync-over-async mistake: the "async" call returned only once the wait was over.
        Assert.True(call.IsCompleted);
        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(45));
        Assert.Equal("Blocked a thread for 50 ms.\n", (await call).BodyText());
    }

    public static TheoryData<string, string, HandlerForm> BadParameters()
    {
        var data = new TheoryData<string, string, HandlerForm>();
        var cases = new (string Target, string Message)[]
        {
            ("/slow?ms=abc", "ms must be a whole number from 0 to 60000.\n"),
            ("/slow?ms=-1", "ms must be a whole number from 0 to 60000.\n"),
            ("/slow?ms=60001", "ms must be a whole number from 0 to 60000.\n"),
            ("/slow?ms=", "ms must be a whole number from 0 to 60000.\n"),
            ("/cpu?us=x", "us must be a whole number from 0 to 1000000.\n"),
            ("/cpu?us=1000001", "us must be a whole number from 0 to 1000000.\n"),
            ("/cpu?us=+5", "us must be a whole number from 0 to 1000000.\n"),
            ("/block?ms=1.5", "ms must be a whole number from 0 to 60000.\n"),
            ("/block?ms=60001", "ms must be a whole number from 0 to 60000.\n"),
            ("/block?a=1&ms=-3", "ms must be a whole number from 0 to 60000.\n"),
        };
        foreach (var (target, message) in cases)
        {
            data.Add(target, message, HandlerForm.Sync);
            data.Add(target, message, HandlerForm.Async);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadParameters))]
    public async Task A_bad_parameter_is_400_with_the_range_it_takes(string target, string message, HandlerForm form)
    {
        IRequestHandler handler = target.Split('?')[0] switch
        {
            "/slow" => new SlowRequestHandler(),
            "/cpu" => new CpuRequestHandler(),
            _ => new BlockRequestHandler(),
        };

        var response = await handler.CallAsync(SharedHandlerSupport.Get(target), form);

        Assert.Equal(400, response.StatusCode);
        Assert.Equal(message, response.BodyText());
        Assert.Equal(PlainText, response.Header("Content-Type"));
    }
}
