using ActorHttp.Actors;
using Akka.Configuration;

namespace ActorHttp.Hosting;

/// <summary>
/// How a host that owns its process's output logs, built from the loaded configuration
/// (<c>actorhttp.logging.*</c>): the ActorHttp.Server executable writes to the console through it.
/// The library itself owns no sink, so an application that embeds the server is never made to log
/// to the console: without this and without <see cref="ServerOptions.Logger"/>, the server logs to
/// Serilog's shared <see cref="Serilog.Log.Logger"/>, which is silent until the application sets it.
/// </summary>
public interface IServerLogging
{
    /// <summary>The server's logger (its own logs and Akka's); disposed with the server if it is disposable.</summary>
    Serilog.ILogger CreateLogger(Config config);

    /// <summary>
    /// The access log when <c>actorhttp.server.access-log</c> is on, its level shows Information and
    /// no <c>access-log-file</c> is set: where the host writes it (standard output, for the executable).
    /// </summary>
    /// <param name="config">The loaded configuration (<c>actorhttp.logging.format</c>).</param>
    /// <param name="settings">The server's settings (<c>access-log-buffer</c>).</param>
    /// <param name="diagnostics">Where the access log reports its own trouble (lines dropped).</param>
    AccessLogWriter CreateAccessLog(Config config, ServerSettings settings, Serilog.ILogger diagnostics);
}

/// <summary>
/// An access-log output that writes a line straight from its <see cref="AccessLogEntry"/>, with no
/// Serilog event built per line (the executable's standard output in text format).
/// </summary>
public interface IAccessLogLineOutput
{
    /// <summary>Writes the line, or returns false when this output needs the event instead (another format).</summary>
    bool TryWrite(in AccessLogEntry entry, DateTimeOffset timestamp);
}
