using Akka.Configuration;
using Akka.Event;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace ActorHttp.Hosting;

/// <summary>Builds the Serilog logger from <c>actorhttp.logging</c>; Akka's logs reach it through the logger-factory bridge.</summary>
public static class LogSetup
{
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
                outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}"),
            _ => throw new ConfigurationException($"actorhttp.logging.format must be \"text\" or \"json\", not \"{format}\""),
        };
        return logger.CreateLogger();
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
