using Akka.Event;

namespace ActorHttp.Handlers;

/// <summary>
/// A handler's <see cref="HttpHandlerActor.Log"/>: Akka's own logging adapter, which, while the
/// handler works on a request that has an id, ends each line with <c>(request ID)</c>. Akka's
/// logger bridge (Akka.Hosting's logger factory) hands each line on as one formatted message, on
/// its own thread, so neither a Serilog <c>LogContext</c> pushed here nor a logging scope would
/// reach it; the message itself is what travels.
/// </summary>
/// <remarks>Akka's <see cref="BusLogging"/> is sealed: this publishes to the bus as it does.</remarks>
internal sealed class RequestScopedLogging(LoggingBus bus, string logSource, Type logClass, ILogMessageFormatter formatter)
    : LoggingAdapterBase(formatter)
{
    /// <summary>The id of the request being handled; null between requests (and when ids are off).</summary>
    public string? RequestId { get; set; }

    public override bool IsDebugEnabled => bus.LogLevel <= LogLevel.DebugLevel;

    public override bool IsInfoEnabled => bus.LogLevel <= LogLevel.InfoLevel;

    public override bool IsWarningEnabled => bus.LogLevel <= LogLevel.WarningLevel;

    public override bool IsErrorEnabled => bus.LogLevel <= LogLevel.ErrorLevel;

    protected override void NotifyLog(LogLevel logLevel, object message, Exception cause)
    {
        if (RequestId is { } id)
        {
            message = new RequestLogMessage(message, id);
        }

        LogEvent logEvent = logLevel switch
        {
            LogLevel.DebugLevel => new Debug(cause, logSource, logClass, message),
            LogLevel.InfoLevel => new Info(cause, logSource, logClass, message),
            LogLevel.WarningLevel => new Warning(cause, logSource, logClass, message),
            _ => new Error(cause, logSource, logClass, message),
        };
        bus.Publish(logEvent);
    }

    /// <summary>A log message and the request it was logged for; formatted only if a logger writes it.</summary>
    private sealed record RequestLogMessage(object Message, string RequestId)
    {
        public override string ToString() => $"{Message} (request {RequestId})";
    }
}
