using Akka.Configuration;
using Akka.Event;
using Serilog;
using Serilog.Events;
using ActorHttp.Actors;
using Serilog.Formatting.Compact;

namespace ActorHttp.Hosting;

/// <summary>Builds the Serilog logger from <c>actorhttp.logging</c>; Akka's logs reach it through the logger-factory bridge.</summary>
public static class LogSetup
{
    private const string ConsoleTimestamp = "HH:mm:ss.fff";
    private const string ConsoleTemplate = "[{Timestamp:" + ConsoleTimestamp + "} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    // A file holds nothing but access lines: no level or source to tell apart, the date in full.
    private const string AccessFileTimestamp = "yyyy-MM-dd HH:mm:ss.fff zzz";
    private const string AccessFileTemplate = "{Timestamp:" + AccessFileTimestamp + "} {Message:lj}{NewLine}";

    public static Serilog.ILogger CreateLogger(Config config)
    {
        var level = ParseLevel(config.GetString("actorhttp.logging.level", "Information"));
        var logger = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .Enrich.FromLogContext();
        var format = config.GetString("actorhttp.logging.format", "text");
        logger = format switch
        {
            "json" => logger.WriteTo.Console(new CompactJsonFormatter()),
            "text" => logger.WriteTo.Console(
                outputTemplate: ConsoleTemplate),
            _ => throw new ConfigurationException($"actorhttp.logging.format must be \"text\" or \"json\", not \"{format}\""),
        };
        return logger.CreateLogger();
    }

    /// <summary>
    /// The access log <c>actorhttp.server.access-log*</c> asks for, or null when it is off or the
    /// level hides its lines (they are Information). Its lines go to <paramref name="callerLogger"/>
    /// when the server was given one; otherwise to <c>access-log-file</c>, or when that is empty to
    /// standard output in the format of the other logs, written a batch at a time.
    /// </summary>
    /// <param name="diagnostics">Where the access log reports its own trouble (lines dropped).</param>
    public static AccessLogWriter? CreateAccessLog(Config config, ServerSettings settings, Serilog.ILogger diagnostics, Serilog.ILogger? callerLogger)
    {
        if (!settings.AccessLog)
        {
            return null;
        }

        if (callerLogger is not null)
        {
            return callerLogger.IsEnabled(LogEventLevel.Information) ? new AccessLogWriter(callerLogger, settings.AccessLogBuffer, diagnostics) : null;
        }

        if (ParseLevel(config.GetString("actorhttp.logging.level", "Information")) > LogEventLevel.Information)
        {
            return null;
        }

        var json = config.GetString("actorhttp.logging.format", "text") == "json";
        if (settings.AccessLogFile.Length > 0)
        {
            var file = new LoggerConfiguration()
                .WriteTo.File(
                    json ? new CompactJsonFormatter() : new AccessLogTextFormatter(AccessFileTemplate, AccessFileTimestamp, levelAndSource: false),
                    settings.AccessLogFile,
                    fileSizeLimitBytes: settings.AccessLogFileSizeLimit,
                    rollOnFileSizeLimit: true,
                    rollingInterval: RollingInterval.Day,
                    retainedFileCountLimit: settings.AccessLogFileCount,
                    // Written a batch at a time; the disk sees it within a second.
                    buffered: true,
                    flushToDiskInterval: TimeSpan.FromSeconds(1))
                .CreateLogger();
            return new AccessLogWriter(file, settings.AccessLogBuffer, diagnostics, ownedOutput: file);
        }

        var standardOutput = new BatchedStandardOutputSink(
            json ? new CompactJsonFormatter() : new AccessLogTextFormatter(ConsoleTemplate, ConsoleTimestamp, levelAndSource: true),
            Console.OpenStandardOutput());
        var logger = new LoggerConfiguration().WriteTo.Sink(standardOutput).CreateLogger();
        return new AccessLogWriter(logger, settings.AccessLogBuffer, diagnostics, endOfBatch: standardOutput.Flush, ownedOutput: logger, standardOutput: standardOutput);
    }

    public static LogLevel AkkaLevel(Config config) => ParseLevel(config.GetString("actorhttp.logging.level", "Information")) switch
    {
        LogEventLevel.Verbose or LogEventLevel.Debug => LogLevel.DebugLevel,
        LogEventLevel.Information => LogLevel.InfoLevel,
        LogEventLevel.Warning => LogLevel.WarningLevel,
        _ => LogLevel.ErrorLevel,
    };

    private static LogEventLevel ParseLevel(string value) =>
        Enum.TryParse<LogEventLevel>(value, ignoreCase: true, out var level)
            ? level
            : throw new ConfigurationException($"actorhttp.logging.level \"{value}\" is not one of Verbose, Debug, Information, Warning, Error, Fatal");
}
