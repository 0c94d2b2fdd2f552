using ActorHttp.Hosting;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Observability;

/// <summary>/healthz and /readyz: alive, ready once started, not ready while draining, never on the access log.</summary>
public sealed class HealthTests
{
    [Fact]
    public async Task A_started_server_is_alive_and_ready_and_the_probes_stay_off_the_access_log()
    {
        var log = new CollectingSink();
        await using var server = await ObservedServer.StartAsync(log);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Endpoint.Port}") };

        var live = await http.GetAsync("/healthz");
        var ready = await http.GetAsync("/readyz");
        Assert.Equal(200, (int)live.StatusCode);
        Assert.StartsWith("Healthy", await live.Content.ReadAsStringAsync());
        Assert.Contains("actorhttp-live: Healthy", await live.Content.ReadAsStringAsync());
        Assert.Equal(200, (int)ready.StatusCode);
        Assert.Contains("actorhttp-ready: Healthy", await ready.Content.ReadAsStringAsync());
        Assert.Equal("no-store", ready.Headers.CacheControl?.ToString());

        // A request after the probes is logged; the probes before it are not.
        await http.GetAsync("/hello");
        await ObservedServer.WaitForEventAsync(log, e => ObservedServer.IsAccessLine(e) && ObservedServer.Text(e, "Target") == "/hello");
        Assert.DoesNotContain(log.Events, e => ObservedServer.IsAccessLine(e) && ObservedServer.Text(e, "Target") is "/healthz" or "/readyz");
    }

    [Fact]
    public async Task The_paths_are_configurable()
    {
        await using var server = await ObservedServer.StartAsync(new CollectingSink(), """
            actorhttp.health.live-path = "/live"
            actorhttp.health.ready-path = "/ops/ready"
            """);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Endpoint.Port}") };

        Assert.Equal(200, (int)(await http.GetAsync("/live")).StatusCode);
        Assert.Equal(200, (int)(await http.GetAsync("/ops/ready")).StatusCode);
        Assert.Equal(404, (int)(await http.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Readiness_answers_503_while_the_server_drains_on_stop_and_liveness_still_200()
    {
        var server = await ObservedServer.StartAsync(new CollectingSink(), "actorhttp.health.drain-delay = 3s");
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { BaseAddress = new Uri($"http://127.0.0.1:{server.Endpoint.Port}") };
            Assert.Equal(200, (int)(await http.GetAsync("/readyz")).StatusCode);

            // What SIGTERM does: the host stops, and CoordinatedShutdown runs its phases.
            var stopping = server.StopAsync();
            var readiness = 200;
            for (var attempt = 0; attempt < 100 && readiness == 200; attempt++)
            {
                readiness = (int)(await http.GetAsync("/readyz")).StatusCode;
            }

            Assert.Equal(503, readiness);
            var drainingAnswer = await http.GetAsync("/readyz");
            Assert.Contains("draining", await drainingAnswer.Content.ReadAsStringAsync());
            // Still serving everything else during the delay.
            Assert.Equal(200, (int)(await http.GetAsync("/healthz")).StatusCode);
            Assert.Equal(200, (int)(await http.GetAsync("/hello")).StatusCode);
            await stopping;
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
