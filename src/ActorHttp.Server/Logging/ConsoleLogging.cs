using ActorHttp.Actors;
using ActorHttp.Hosting;
using Akka.Configuration;
using Serilog;
using Serilog.Formatting.Compact;

namespace ActorHttp.Server.Logging;

/// <summary>
/// The executable's logging: everything to the console in the format <c>actorhttp.logging.format</c>
/// names, and the access log to standard output a batch at a time. The library has no console sink
/// of its own; this is where the process that owns the console adds one.
/// </summary>
public sealed class ConsoleLogging : IServerLogging
{
    private const string ConsoleTimestamp = "HH:mm:ss.fff";
    private const string ConsoleTemplate = "[{Timestamp:" + ConsoleTimestamp + "} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    // A handler's lines name their request after the message (RequestIdTextEnricher); the access
    // log's text formatter has its own template, where the ids are part of the line's message.
    internal const string ConsoleLogTemplate = "[{Timestamp:" + ConsoleTimestamp + "} {Level:u3}] {SourceContext}: {Message:lj}{" + RequestIdTextEnricher.PropertyName + "}{NewLine}{Exception}";

    /// <summary>
    /// The console at <c>actorhttp.logging.level</c>, as text or compact JSON. A handler's lines carry
    /// <c>RequestId</c>/<c>TraceId</c> as JSON properties, and in text after the message: <c>(request ID)</c>.
    /// </summary>
    public Serilog.ILogger CreateLogger(Config config)
    {
        var logger = new LoggerConfiguration()
            .MinimumLevel.Is(LogSetup.Level(config))
            .Enrich.FromLogContext();
        logger = LogSetup.IsJson(config)
            ? logger.WriteTo.Console(new CompactJsonFormatter())
            : logger.Enrich.With<RequestIdTextEnricher>().WriteTo.Console(outputTemplate: ConsoleLogTemplate);
        return logger.CreateLogger();
    }

    /// <summary>Standard output in the format of the other logs, each text line written straight from its entry.</summary>
    public AccessLogWriter CreateAccessLog(Config config, ServerSettings settings, Serilog.ILogger diagnostics)
    {
        var standardOutput = new BatchedStandardOutputSink(
            LogSetup.IsJson(config) ? new CompactJsonFormatter() : new AccessLogTextFormatter(ConsoleTemplate, ConsoleTimestamp, levelAndSource: true),
            Console.OpenStandardOutput());
        var logger = new LoggerConfiguration().WriteTo.Sink(standardOutput).CreateLogger();
        return new AccessLogWriter(logger, settings.AccessLogBuffer, diagnostics, endOfBatch: standardOutput.Flush, ownedOutput: logger, lineOutput: standardOutput);
    }
}
