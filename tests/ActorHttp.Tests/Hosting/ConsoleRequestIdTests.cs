using ActorHttp.Handlers;
using ActorHttp.Server.Logging;
using Serilog;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace ActorHttp.Tests.Hosting;

/// <summary>How the executable's console shows a handler line's request id: after the message in text, a property in JSON.</summary>
public sealed class ConsoleRequestIdTests
{
    [Fact]
    public void Text_shows_the_request_id_after_the_message()
    {
        var line = Render(new MessageTemplateTextFormatter(ConsoleLogging.ConsoleLogTemplate), log => log
            .ForContext(RequestLogProperties.RequestId, "test-123")
            .ForContext("SourceContext", "Akka.Actor.ActorSystem")
            .Information("Answering {Label}", "plain"));

        Assert.EndsWith("INF] Akka.Actor.ActorSystem: Answering plain (request test-123)" + Environment.NewLine, line);
    }

    [Fact]
    public void Text_shows_the_trace_id_beside_the_request_id()
    {
        var line = Render(new MessageTemplateTextFormatter(ConsoleLogging.ConsoleLogTemplate), log => log
            .ForContext(RequestLogProperties.RequestId, "test-123")
            .ForContext(RequestLogProperties.TraceId, "0af7651916cd43dd8448eb211c80319c")
            .Information("Answering"));

        Assert.Contains("Answering (request test-123, trace 0af7651916cd43dd8448eb211c80319c)", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_adds_nothing_to_a_line_logged_for_no_request()
    {
        var line = Render(new MessageTemplateTextFormatter(ConsoleLogging.ConsoleLogTemplate), log => log.Information("Connection {ConnectionId}: closed", 7));

        Assert.EndsWith(": Connection 7: closed" + Environment.NewLine, line);
    }

    [Fact]
    public void Json_has_the_request_id_as_a_property_and_the_handler_template_untouched()
    {
        var line = Render(new CompactJsonFormatter(), log => log
            .ForContext(RequestLogProperties.RequestId, "test-123")
            .Information("Answering {Label}", "plain"));

        Assert.Contains("\"@mt\":\"Answering {Label}\"", line, StringComparison.Ordinal);
        Assert.Contains("\"RequestId\":\"test-123\"", line, StringComparison.Ordinal);
        Assert.DoesNotContain("RequestSuffix", line, StringComparison.Ordinal);
    }

    /// <summary>One event formatted by <paramref name="formatter"/>, through the enricher the text console adds when it is the text one.</summary>
    private static string Render(ITextFormatter formatter, Action<ILogger> write)
    {
        var events = new List<Serilog.Events.LogEvent>();
        var configuration = new LoggerConfiguration();
        if (formatter is MessageTemplateTextFormatter)
        {
            configuration.Enrich.With<RequestIdTextEnricher>();
        }

        using (var logger = configuration.WriteTo.Sink(new ListSink(events)).CreateLogger())
        {
            write(logger);
        }

        var output = new StringWriter();
        formatter.Format(Assert.Single(events), output);
        return output.ToString();
    }

    private sealed class ListSink(List<Serilog.Events.LogEvent> events) : Serilog.Core.ILogEventSink
    {
        public void Emit(Serilog.Events.LogEvent logEvent) => events.Add(logEvent);
    }
}
