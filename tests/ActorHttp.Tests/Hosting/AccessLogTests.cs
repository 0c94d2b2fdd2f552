using System.Globalization;
using System.Diagnostics;
using System.Net;
using ActorHttp.Hosting;
using ActorHttp.Server.Logging;
using ActorHttp.Tests.Support;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Display;
using HttpVersion = ActorHttp.Protocol.HttpVersion;

namespace ActorHttp.Tests.Hosting;

public sealed class AccessLogTests
{
    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";
    private const string FileTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} {Message:lj}{NewLine}";

    private static AccessLogEntry Entry(string? userAgent = "wrk", string? referer = null, string target = "/hello", long connectionId = 7) =>
        new(connectionId, IPAddress.Parse("192.0.2.1"), "GET", target, HttpVersion.Http11, 200, 13, referer, userAgent, 0, Stopwatch.Frequency / 400);

    private static readonly DateTimeOffset Timestamp = new(2026, 12, 1, 19, 18, 7, 123, TimeSpan.FromHours(1));

    [Fact]
    public void An_entry_becomes_an_event_with_the_combined_fields_under_its_own_source_context()
    {
        var logEvent = new AccessLogEvents().Create(Entry(referer: "https://example.com/"), Timestamp);

        Assert.Equal(LogEventLevel.Information, logEvent.Level);
        Assert.Equal(Timestamp, logEvent.Timestamp);
        Assert.Equal("\"ActorHttp.AccessLog\"", logEvent.Properties["SourceContext"].ToString());
        Assert.Equal(
            "\"192.0.2.1\" - - \"\"GET\" \"/hello\" \"HTTP/1.1\"\" 200 13 \"\"https://example.com/\"\" \"\"wrk\"\" 2.5 ms, connection 7",
            logEvent.RenderMessage());
    }

    [Fact]
    public void Absent_fields_are_a_dash_and_quotes_are_escaped_as_nginx_does()
    {
        var events = new AccessLogEvents();

        var logEvent = events.Create(Entry(userAgent: "evil\" 500 \\", referer: null), Timestamp);

        Assert.Equal("\"-\"", logEvent.Properties["Referer"].ToString());
        Assert.Equal("evil\\x22 500 \\x5C", ((ScalarValue)logEvent.Properties["UserAgent"]).Value);
    }

    [Fact]
    public void Repeated_values_are_reused_but_never_mixed_up()
    {
        var events = new AccessLogEvents();

        var first = events.Create(Entry(target: "/a", connectionId: 1), Timestamp);
        var second = events.Create(Entry(target: "/b", connectionId: 2), Timestamp);
        var third = events.Create(Entry(target: "/b", connectionId: 3), Timestamp);

        Assert.Equal("/a", ((ScalarValue)first.Properties["Target"]).Value);
        Assert.Equal("/b", ((ScalarValue)second.Properties["Target"]).Value);
        Assert.Same(second.Properties["Target"], third.Properties["Target"]);
        Assert.Same(second.Properties["Method"], first.Properties["Method"]);
        Assert.Equal(3L, ((ScalarValue)third.Properties["ConnectionId"]).Value);
    }

    [Theory]
    [InlineData(ConsoleTemplate, "HH:mm:ss.fff", true)]
    [InlineData(FileTemplate, "yyyy-MM-dd HH:mm:ss.fff zzz", false)]
    public void The_fast_formatter_writes_what_serilogs_template_formatter_writes(string template, string timestampFormat, bool levelAndSource)
    {
        var fast = new AccessLogTextFormatter(template, timestampFormat, levelAndSource);
        var serilog = new MessageTemplateTextFormatter(template);
        var events = new AccessLogEvents();
        var other = new LogEvent(Timestamp, LogEventLevel.Warning, null, new Serilog.Parsing.MessageTemplateParser().Parse("not an {Access} line"), [new LogEventProperty("Access", new ScalarValue(1))]);

        foreach (var logEvent in new[] { events.Create(Entry(), Timestamp), events.Create(Entry(userAgent: null, referer: "r\"1"), Timestamp), other })
        {
            var expected = new StringWriter();
            var actual = new StringWriter();
            serilog.Format(logEvent, expected);
            fast.Format(logEvent, actual);
            Assert.Equal(expected.ToString(), actual.ToString());
        }
    }

    [Theory]
    [InlineData(ConsoleTemplate, "HH:mm:ss.fff", true)]
    [InlineData(FileTemplate, "yyyy-MM-dd HH:mm:ss.fff zzz", false)]
    public void A_line_written_straight_from_its_entry_is_what_serilog_writes_for_its_event(string template, string timestampFormat, bool levelAndSource)
    {
        var fast = new AccessLogTextFormatter(template, timestampFormat, levelAndSource);
        var serilog = new MessageTemplateTextFormatter(template);
        var entries = new[]
        {
            Entry(),
            Entry(userAgent: null, referer: "r\"1"),
            Entry(userAgent: "evil\" 500 \\", target: "/q?a=\"b\""),
            new AccessLogEntry(3, null, "-", "-", HttpVersion.Http10, 408, 0, null, null, 0, Stopwatch.Frequency),
            new AccessLogEntry(4, IPAddress.IPv6Loopback, "POST", "/up", HttpVersion.Http11, 201, 1_234_567, null, "curl", 0, Stopwatch.Frequency / 3),
        };

        foreach (var entry in entries)
        {
            var expected = new StringWriter();
            var actual = new StringWriter();
            serilog.Format(new AccessLogEvents().Create(entry, Timestamp), expected);
            fast.Format(entry, Timestamp, actual);
            Assert.Equal(expected.ToString(), actual.ToString());
        }
    }

    [Theory]
    [InlineData(".")]
    [InlineData(",")]
    public void Durations_and_timestamps_read_as_serilog_writes_them_whatever_the_current_culture_and_a_millisecond_shares_its_timestamp(string decimalSeparator)
    {
        var fast = new AccessLogTextFormatter(FileTemplate, "yyyy-MM-dd HH:mm:ss.fff zzz", false);
        var serilog = new MessageTemplateTextFormatter(FileTemplate);
        var previous = CultureInfo.CurrentCulture;
        // The tests run in globalization-invariant mode: a culture of another decimal separator is made from the invariant one.
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = decimalSeparator;
        culture.DateTimeFormat.TimeSeparator = decimalSeparator == "," ? "." : ":";
        CultureInfo.CurrentCulture = culture;
        try
        {
            // Whole, tenths, hundredths, thousandths, zero, a microsecond, a long one.
            double[] milliseconds = [2, 1.5, 0.05, 12.345, 0, 0.001, 86_400_000.25, 1_000.1];
            // Instants in one millisecond, the next one, and another offset of the same instant.
            DateTimeOffset[] timestamps = [Timestamp, Timestamp.AddTicks(9_999), Timestamp.AddTicks(10_000), Timestamp.ToOffset(TimeSpan.Zero)];
            foreach (var timestamp in timestamps)
            {
                foreach (var duration in milliseconds)
                {
                    var ticks = (long)Math.Round(duration * Stopwatch.Frequency / 1000);
                    var entry = new AccessLogEntry(1, IPAddress.Loopback, "GET", "/", HttpVersion.Http11, 200, 2, null, null, 0, ticks);
                    var expected = new StringWriter();
                    var actual = new StringWriter();
                    serilog.Format(new AccessLogEvents().Create(entry, timestamp), expected);
                    fast.Format(entry, timestamp, actual);
                    Assert.Equal(expected.ToString(), actual.ToString());
                }
            }
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void The_batched_output_writes_whole_lines_only_when_flushed()
    {
        using var output = new MemoryStream();
        var sink = new BatchedStandardOutputSink(new AccessLogTextFormatter(FileTemplate, "yyyy-MM-dd HH:mm:ss.fff zzz", false), output);
        var events = new AccessLogEvents();

        sink.Emit(events.Create(Entry(userAgent: "curl/8 ünïcode"), Timestamp));
        sink.Emit(events.Create(Entry(), Timestamp));
        Assert.Equal(0, output.Length);
        sink.Flush();

        var lines = System.Text.Encoding.UTF8.GetString(output.ToArray()).Split(Environment.NewLine);
        Assert.Equal(3, lines.Length);
        Assert.Equal("2026-12-01 19:18:07.123 +01:00 192.0.2.1 - - \"GET /hello HTTP/1.1\" 200 13 \"-\" \"curl/8 ünïcode\" 2.5 ms, connection 7", lines[0]);
        Assert.Equal(string.Empty, lines[2]);
    }

    [Fact]
    public void Queuing_an_entry_allocates_nothing_and_a_full_buffer_counts_its_drops()
    {
        var collected = new CollectingSink();
        var writer = new AccessLogWriter(new LoggerConfiguration().CreateLogger(), capacity: 64, new LoggerConfiguration().WriteTo.Sink(collected).CreateLogger());
        var entry = Entry();
        for (var i = 0; i < 64; i++)
        {
            // Fills the buffer, which grows its storage on the way: that is the only allocation.
            writer.TryAdd(entry);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            writer.TryAdd(entry);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1000, writer.Dropped);
    }

    [Fact]
    public async Task The_writer_writes_every_line_and_reports_drops_when_it_stops()
    {
        var lines = new CollectingSink();
        var diagnostics = new CollectingSink();
        var writer = new AccessLogWriter(new LoggerConfiguration().WriteTo.Sink(lines).CreateLogger(), capacity: 10, new LoggerConfiguration().WriteTo.Sink(diagnostics).CreateLogger());
        for (var i = 0; i < 12; i++)
        {
            // Queued before the writer starts: the last two find the buffer full.
            writer.TryAdd(Entry(connectionId: i));
        }

        await writer.StartAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), lines.Events.Select(e => (long)((ScalarValue)e.Properties["ConnectionId"]).Value!));
        var warning = Assert.Single(diagnostics.Events);
        Assert.Equal(LogEventLevel.Warning, warning.Level);
        Assert.StartsWith("2 access-log lines dropped (2 since start)", warning.RenderMessage());
    }

    [Fact]
    public async Task A_server_given_a_logger_sends_it_one_event_per_request_under_ActorHttp_AccessLog()
    {
        var collected = new CollectingSink();
        var logger = collected.AccessLogOnly();
        var server = await ActorHttpServer.StartAsync(new ServerOptions
        {
            Host = "127.0.0.1",
            Port = 0,
            ConfigOverrides = TestServer.FastTimeouts,
            Logger = logger,
            DemoRoutes = true,
        });
        try
        {
            using var http = new HttpClient();
            http.DefaultRequestHeaders.UserAgent.ParseAdd("access-log-test/1.0");
            http.DefaultRequestHeaders.Referrer = new Uri("http://example.com/from");
            Assert.Equal("Hello, World!", await http.GetStringAsync($"http://127.0.0.1:{server.Endpoint.Port}/hello?x=1"));
        }
        finally
        {
            // Stopping writes the lines still buffered.
            await server.DisposeAsync();
        }

        var logEvent = Assert.Single(collected.Events);
        string Field(string name) => ((ScalarValue)logEvent.Properties[name]).Value!.ToString()!;
        Assert.Equal("127.0.0.1", Field("ClientAddress"));
        Assert.Equal("GET", Field("Method"));
        Assert.Equal("/hello?x=1", Field("Target"));
        Assert.Equal("HTTP/1.1", Field("Protocol"));
        Assert.Equal("200", Field("Status"));
        Assert.Equal("13", Field("Bytes"));
        Assert.Equal("http://example.com/from", Field("Referer"));
        Assert.Equal("access-log-test/1.0", Field("UserAgent"));
        Assert.True(logEvent.Properties.ContainsKey("DurationMs") && logEvent.Properties.ContainsKey("ConnectionId"));
    }
}
