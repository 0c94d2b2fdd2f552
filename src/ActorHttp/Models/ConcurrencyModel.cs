namespace ActorHttp.Models;

/// <summary>
/// How the server schedules its connections and handlers (<c>actorhttp.server.model</c>, <c>--model</c>).
/// Every model runs the same connection core (<see cref="Protocol.Connection.Http1Connection"/>) and
/// the same handlers; only who runs them, and what a wait costs, differ.
/// </summary>
public enum ConcurrencyModel
{
    /// <summary>A connection actor per socket, supervised handler actors (the default).</summary>
    Actors,

    /// <summary>A dedicated OS thread per connection, blocking in its socket calls; handlers run on it.</summary>
    Threads,

    /// <summary>A fixed pool of worker threads, each serving one connection at a time until it closes.</summary>
    Pool,

    /// <summary>One thread (or one per loop) runs every connection and every handler; nothing may block it.</summary>
    EventLoop,

    /// <summary>An async loop per connection on the .NET thread pool; handlers are awaited.</summary>
    Tasks,
}
