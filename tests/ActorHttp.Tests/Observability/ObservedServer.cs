using ActorHttp.Hosting;
using ActorHttp.Tests.Support;
using Serilog;

namespace ActorHttp.Tests.Observability;

/// <summary>A test server (demo and test routes, fast timeouts) whose every log event goes to a <see cref="CollectingSink"/>.</summary>
internal static class ObservedServer
{
    public static Task<ActorHttpServer> StartAsync(CollectingSink sink, string? overrides = null, Action<RouteBuilder>? routes = null) =>
        ActorHttpServer.StartAsync(new ServerOptions
        {
            Host = "127.0.0.1",
            Port = 0,
            ConfigOverrides = TestServer.FastTimeouts + "\n" + (overrides ?? string.Empty),
            DemoRoutes = true,
            Environment = new Dictionary<string, string>(),
            Routes = routes ?? TestRoutes.Add,
            Logger = new LoggerConfiguration().MinimumLevel.Information().WriteTo.Sink(sink).CreateLogger(),
        });

    /// <summary>Waits (bounded) until the sink holds an event that <paramref name="match"/> accepts; the access log is written on its own thread, a batch at a time.</summary>
    public static async Task<Serilog.Events.LogEvent> WaitForEventAsync(CollectingSink sink, Func<Serilog.Events.LogEvent, bool> match)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (sink.Events.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("no such log event: " + string.Join("\n", sink.Events.Select(e => e.RenderMessage())));
    }

    public static bool IsAccessLine(Serilog.Events.LogEvent e) =>
        e.Properties.TryGetValue("SourceContext", out var source) && source.ToString() == "\"ActorHttp.AccessLog\"";

    public static string? Text(Serilog.Events.LogEvent e, string property) =>
        e.Properties.TryGetValue(property, out var value) && value is Serilog.Events.ScalarValue { Value: var v } ? v?.ToString() : null;
}
