using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Observability;

/// <summary>/metrics in Prometheus's text format, made by prometheus-net's meter adapter.</summary>
public sealed class PrometheusTests
{
    [Fact]
    public async Task Metrics_are_off_by_default()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Endpoint.Port}") };

        Assert.Equal(404, (int)(await http.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task A_scrape_after_requests_shows_the_duration_histogram_by_route()
    {
        await using var server = await TestServer.StartAsync("actorhttp.metrics.enabled = on", routes: TestRoutes.Add);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Endpoint.Port}") };
        Assert.Equal(200, (int)(await http.GetAsync("/test/users/1")).StatusCode);
        Assert.Equal(200, (int)(await http.GetAsync("/test/users/2")).StatusCode);
        Assert.Equal(404, (int)(await http.GetAsync("/no-such-route")).StatusCode);

        var text = await ScrapeUntil(http, "/metrics", "http_route=\"/test/users/{id}\"");

        Assert.Contains("http_server_request_duration_seconds_bucket{", text);
        Assert.Contains("http_server_request_duration_seconds_count{", text);
        // Requests under way are read at the scrape: the scrape itself is one.
        Assert.Contains("http_server_active_requests{http_request_method=\"GET\"} 1\n", text);
        var line = text.Split('\n').First(l => l.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal) && l.Contains("http_route=\"/test/users/{id}\"", StringComparison.Ordinal));
        Assert.Contains("http_request_method=\"GET\"", line);
        Assert.Contains("http_response_status_code=\"200\"", line);
        Assert.EndsWith(" 2", line.Trim());
        Assert.DoesNotContain("/test/users/1", text);
        // Each tag combination is a series of its own (the bridge keeps one child per combination).
        var notFound = text.Split('\n').First(l => l.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal) && l.Contains("http_response_status_code=\"404\"", StringComparison.Ordinal));
        Assert.Contains("http_route=\"/{*path}\"", notFound); // the test server's catch-all (static files) answered it
        Assert.EndsWith(" 1", notFound.Trim());
        // Bytes in and out are read at the scrape (observable counters): both above zero by now.
        Assert.True(Total(text, "actorhttp_io_received_bytes_total") > 0);
        Assert.True(Total(text, "actorhttp_io_sent_bytes_total") > 0);
    }

    private static double Total(string text, string name) =>
        double.Parse(text.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal))[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task With_a_metrics_port_the_scrape_is_served_there_and_not_on_the_server_port()
    {
        await using var server = await TestServer.StartAsync("""
            actorhttp.metrics.enabled = on
            actorhttp.metrics.port = 0
            """);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Endpoint.Port}") };
        Assert.Equal(200, (int)(await http.GetAsync("/hello")).StatusCode);
        Assert.Equal(404, (int)(await http.GetAsync("/metrics")).StatusCode);

        Assert.NotNull(server.MetricsEndpoint);
        Assert.NotEqual(server.Endpoint.Port, server.MetricsEndpoint!.Port);
        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.MetricsEndpoint.Port}") };
        var text = await ScrapeUntil(scraper, "/metrics", "http_route=\"/hello\"");
        Assert.Contains("http_server_request_duration_seconds_bucket{", text);
        Assert.Equal(404, (int)(await scraper.GetAsync("/hello")).StatusCode);
    }

    /// <summary>Scrapes until <paramref name="expected"/> shows (an answer is recorded once written, after the client may have read it); bounded.</summary>
    private static async Task<string> ScrapeUntil(HttpClient http, string path, string expected)
    {
        var text = string.Empty;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var response = await http.GetAsync(path);
            Assert.Equal(200, (int)response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString());
            text = await response.Content.ReadAsStringAsync();
            if (text.Contains(expected, StringComparison.Ordinal))
            {
                return text;
            }

            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException($"{expected} never appeared in:\n{text}");
    }
}
