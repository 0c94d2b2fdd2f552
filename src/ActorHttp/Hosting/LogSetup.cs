using Akka.Configuration;
using Akka.Event;
using Serilog;
using Serilog.Events;
using ActorHttp.Actors;
using Serilog.Formatting.Compact;

namespace ActorHttp.Hosting;

/// <summary>
/// Reads <c>actorhttp.logging</c> and builds the access log; Akka's logs reach the server's logger
/// through the logger-factory bridge. It owns no console sink: the host decides where logs go
/// (<see cref="IServerLogging"/>, <see cref="ServerOptions.Logger"/>, or Serilog's <see cref="Log.Logger"/>).
/// </summary>
public static class LogSetup
{
    // A file holds nothing but access lines: no level or source to tell apart, the date in full.
    private const string AccessFileTimestamp = "yyyy-MM-dd HH:mm:ss.fff zzz";
    private const string AccessFileTemplate = "{Timestamp:" + AccessFileTimestamp + "} {Message:lj}{NewLine}";

    /// <summary>The server's logger: the caller's, else the host's <paramref name="logging"/>, else Serilog's shared one (silent until the application sets it).</summary>
    public static Serilog.ILogger CreateLogger(Config config, Serilog.ILogger? callerLogger, IServerLogging? logging)
    {
        // Read even when unused, so a wrong level or format fails at start whoever logs.
        Level(config);
        IsJson(config);
        return callerLogger ?? logging?.CreateLogger(config) ?? Log.Logger;
    }

    /// <summary>
    /// The access log <c>actorhttp.server.access-log*</c> asks for, or null when it is off or the
    /// level hides its lines (they are Information). Its lines go to <paramref name="callerLogger"/>
    /// when the server was given one; otherwise to <c>access-log-file</c>; otherwise where the host's
    /// <paramref name="logging"/> puts them (standard output, for the executable); otherwise to
    /// <paramref name="diagnostics"/>, the server's logger, when it shows Information.
    /// </summary>
    /// <param name="config">The loaded configuration.</param>
    /// <param name="settings">The server's settings (<c>access-log*</c>).</param>
    /// <param name="diagnostics">The server's logger, where the access log reports its own trouble (lines dropped).</param>
    /// <param name="callerLogger">The application's logger (<see cref="ServerOptions.Logger"/>), if any.</param>
    /// <param name="logging">The host's logging (<see cref="ServerOptions.Logging"/>), if any.</param>
    public static AccessLogWriter? CreateAccessLog(Config config, ServerSettings settings, Serilog.ILogger diagnostics, Serilog.ILogger? callerLogger, IServerLogging? logging = null)
    {
        if (!settings.AccessLog)
        {
            return null;
        }

        if (callerLogger is not null)
        {
            return callerLogger.IsEnabled(LogEventLevel.Information) ? new AccessLogWriter(callerLogger, settings.AccessLogBuffer, diagnostics) : null;
        }

        if (Level(config) > LogEventLevel.Information)
        {
            return null;
        }

        if (settings.AccessLogFile.Length > 0)
        {
            var json = IsJson(config);
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

        if (logging is not null)
        {
            return logging.CreateAccessLog(config, settings, diagnostics);
        }

        return diagnostics.IsEnabled(LogEventLevel.Information) ? new AccessLogWriter(diagnostics, settings.AccessLogBuffer, diagnostics) : null;
    }

    /// <summary>Akka's log level for <c>actorhttp.logging.level</c> (Akka has no Verbose or Fatal).</summary>
    public static LogLevel AkkaLevel(Config config) => Level(config) switch
    {
        LogEventLevel.Verbose or LogEventLevel.Debug => LogLevel.DebugLevel,
        LogEventLevel.Information => LogLevel.InfoLevel,
        LogEventLevel.Warning => LogLevel.WarningLevel,
        _ => LogLevel.ErrorLevel,
    };

    /// <summary>Whether <c>actorhttp.logging.format</c> is <c>json</c> (else <c>text</c>); any other value is refused with the key's name.</summary>
    public static bool IsJson(Config config)
    {
        var format = config.GetString("actorhttp.logging.format", "text");
        return format switch
        {
            "json" => true,
            "text" => false,
            _ => throw new ConfigurationException($"actorhttp.logging.format must be \"text\" or \"json\", not \"{format}\""),
        };
    }

    /// <summary><c>actorhttp.logging.level</c>, refused with the key's name when it is not a Serilog level.</summary>
    public static LogEventLevel Level(Config config)
    {
        var value = config.GetString("actorhttp.logging.level", "Information");
        return Enum.TryParse<LogEventLevel>(value, ignoreCase: true, out var level)
            ? level
            : throw new ConfigurationException($"actorhttp.logging.level \"{value}\" is not one of Verbose, Debug, Information, Warning, Error, Fatal");
    }
}
