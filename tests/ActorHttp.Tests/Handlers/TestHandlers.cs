using System.Collections.Concurrent;
using ActorHttp.Handlers;
using ActorHttp.Protocol;
using Microsoft.Extensions.Logging;

namespace ActorHttp.Tests.Handlers;

/// <summary>A singleton service a DI-built handler is given.</summary>
public sealed class Forecasts
{
    public string For(string city) => $"{city}: sunny";
}

/// <summary>A scoped service: which instance a handler got, and whether its scope was disposed.</summary>
public sealed class ScopedProbe(ProbeLedger ledger) : IDisposable
{
    public int Id { get; } = ledger.Created();

    public void Dispose() => ledger.Disposed(Id);
}

/// <summary>Keeps, across handler restarts, the scoped probes made and disposed.</summary>
public sealed class ProbeLedger
{
    private readonly ConcurrentDictionary<int, bool> _disposed = new();
    private int _next;

    public int Created()
    {
        var id = Interlocked.Increment(ref _next);
        _disposed[id] = false;
        return id;
    }

    public void Disposed(int id) => _disposed[id] = true;

    public bool IsDisposed(int id) => _disposed.TryGetValue(id, out var disposed) && disposed;
}

/// <summary>Built from the container: a singleton and the application's logger.</summary>
public sealed class WeatherHandler(Forecasts forecasts, ILogger<WeatherHandler> log) : HttpHandlerActor
{
    protected override void OnRequest(RequestContext context)
    {
        var city = context.Request.RouteValues["city"];
        log.LogInformation("Forecast asked for {City}", city);
        context.Respond(HttpResponse.Text(200, forecasts.For(city)));
    }
}

/// <summary>Answers the id of its scoped probe; <c>/scope/crash</c> crashes it.</summary>
public sealed class ScopeHandler(ScopedProbe probe) : HttpHandlerActor
{
    protected override void OnRequest(RequestContext context)
    {
        if (context.Request.Path.EndsWith("/crash", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("ScopeHandler crashes on purpose.");
        }

        context.Respond(HttpResponse.Text(200, probe.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }
}

/// <summary>A service nobody registered.</summary>
public interface IUnregisteredService;

/// <summary>Needs a service the container does not have, so it can never start.</summary>
public sealed class NeedsUnregisteredHandler(IUnregisteredService service) : HttpHandlerActor
{
    protected override void OnRequest(RequestContext context) => context.Respond(HttpResponse.Text(200, service.ToString()!));
}
