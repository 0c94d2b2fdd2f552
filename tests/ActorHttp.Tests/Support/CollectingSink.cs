using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace ActorHttp.Tests.Support;

/// <summary>A Serilog sink that keeps every event it is given, for a test to look at; safe from any thread.</summary>
public sealed class CollectingSink : ILogEventSink
{
    private readonly List<LogEvent> _events = [];

    /// <summary>The events so far, in the order they came.</summary>
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

    /// <summary>A logger, for a server to be given, that passes this sink the access log's events (<c>ActorHttp.AccessLog</c>) and nothing else.</summary>
    public Logger AccessLogOnly() => new LoggerConfiguration()
        .Filter.ByIncludingOnly(e => e.Properties.TryGetValue("SourceContext", out var source) && source.ToString() == "\"ActorHttp.AccessLog\"")
        .WriteTo.Sink(this)
        .CreateLogger();

    public void Emit(LogEvent logEvent)
    {
        lock (_events)
        {
            _events.Add(logEvent);
        }
    }
}
