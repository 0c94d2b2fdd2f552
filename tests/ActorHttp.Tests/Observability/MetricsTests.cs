using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ActorHttp.Hosting;
using ActorHttp.Observability;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Observability;

/// <summary>The meter <c>ActorHttp</c> end to end, read with a <see cref="MeterListener"/> as dotnet-counters or an exporter would.</summary>
public sealed class MetricsTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();
    private readonly MeterListener _listener = new();
    private ActorHttpServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(routes: TestRoutes.Add);
        var meter = _server.Observability!.Metrics.Meter;
        // Only this server's meter: other tests' servers run in the same process meanwhile.
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public void The_meter_is_named_ActorHttp_with_the_semantic_convention_instruments()
    {
        Assert.Equal("ActorHttp", _server.Observability!.Metrics.Meter.Name);
        var names = new List<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, _server.Observability.Metrics.Meter))
                {
                    lock (names)
                    {
                        names.Add(instrument.Name);
                    }
                }
            },
        };
        listener.Start();
        Assert.Contains("http.server.request.duration", names);
        Assert.Contains("http.server.active_requests", names);
        Assert.Contains("actorhttp.connections.active", names);
        Assert.Contains("actorhttp.connections.duration", names);
        Assert.Contains("actorhttp.connections.rejected", names);
        Assert.Contains("actorhttp.requests.refused", names);
        Assert.Contains("actorhttp.handler.crashes", names);
        Assert.Contains("actorhttp.handler.restarts", names);
        Assert.Contains("actorhttp.handler.shed", names);
        Assert.Contains("actorhttp.io.received", names);
        Assert.Contains("actorhttp.io.sent", names);
    }

    [Fact]
    public async Task A_request_is_timed_by_method_status_and_route_template_and_counted_in_and_out_of_active_requests()
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync("GET /test/users/42?x=1 HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);

        var duration = await WaitFor("http.server.request.duration", tags => Equals(tags.GetValueOrDefault("http.response.status_code"), 200));
        Assert.Equal("GET", duration.Tags["http.request.method"]);
        // The template, never the raw path: the path's values would make a series per id.
        Assert.Equal("/test/users/{id}", duration.Tags["http.route"]);
        Assert.True(duration.Value >= 0);
        // Bytes are observable counters: their running totals are read when a listener collects.
        _listener.RecordObservableInstruments();
        Assert.Contains(_measurements, m => m.Instrument == "actorhttp.io.received" && m.Value > 0);
        Assert.Contains(_measurements, m => m.Instrument == "actorhttp.io.sent" && m.Value > 0);
    }

    [Fact]
    public async Task Active_requests_are_read_when_collected_one_while_a_request_is_under_way_and_none_after()
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync("GET /slow?ms=1500 HTTP/1.1\r\nHost: t\r\n\r\n");
        var underWay = await CollectActiveAsync("GET", value => value == 1);

        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        var after = await CollectActiveAsync("GET", value => value == 0);

        Assert.Equal(1, underWay);
        Assert.Equal(0, after);
    }

    [Fact]
    public async Task A_request_no_route_serves_has_no_route_tag_and_an_unknown_method_is_OTHER()
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync("BREW /nowhere-at-all HTTP/1.1\r\nHost: t\r\n\r\n");
        var status = (await client.ReadResponseAsync()).Status;

        var duration = await WaitFor("http.server.request.duration", tags => Equals(tags.GetValueOrDefault("http.request.method"), "_OTHER"));
        Assert.Equal(status, duration.Tags["http.response.status_code"]);
        Assert.False(duration.Tags.ContainsKey("http.route"));
    }

    [Fact]
    public async Task A_handler_crash_counts_a_crash_and_a_restart_for_its_route_and_a_500()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_server.Endpoint.Port}") };
        Assert.Equal(500, (int)(await http.GetAsync("/crash")).StatusCode);

        var crash = await WaitFor("actorhttp.handler.crashes", tags => Equals(tags.GetValueOrDefault("http.route"), "/crash"));
        Assert.Equal(1, crash.Value);
        Assert.Equal(typeof(InvalidOperationException).FullName, crash.Tags["error.type"]);
        await WaitFor("actorhttp.handler.restarts", tags => Equals(tags.GetValueOrDefault("http.route"), "/crash"));
        await WaitFor("http.server.request.duration", tags => Equals(tags.GetValueOrDefault("http.route"), "/crash") && Equals(tags.GetValueOrDefault("http.response.status_code"), 500));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n", 400)]
    [InlineData("GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505)]
    [InlineData("GET / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501)]
    public async Task A_request_the_connection_refuses_is_counted_by_its_status(string request, int status)
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync(request);
        Assert.Equal(status, (await client.ReadResponseAsync()).Status);

        var refused = await WaitFor("actorhttp.requests.refused", tags => Equals(tags.GetValueOrDefault("http.response.status_code"), status));
        Assert.Equal(1, refused.Value);
    }

    [Fact]
    public async Task A_connection_is_counted_open_then_closed_with_its_duration()
    {
        await using (var client = await RawHttpClient.ConnectAsync(_server.Endpoint))
        {
            await client.SendAsync("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        }

        var opened = await WaitFor("actorhttp.connections.active", tags => true);
        Assert.Equal("tcp", opened.Tags["network.transport"]);
        Assert.Equal("ipv4", opened.Tags["network.type"]);
        await WaitFor("actorhttp.connections.duration", tags => Equals(tags.GetValueOrDefault("network.type"), "ipv4"));
    }

    /// <summary>Collects the observable instruments until <c>http.server.active_requests</c> of <paramref name="method"/> reads a value <paramref name="expected"/> accepts (bounded); returns the last value read.</summary>
    private async Task<double> CollectActiveAsync(string method, Func<double, bool> expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        double? last = null;
        while (DateTime.UtcNow < deadline)
        {
            _measurements.Clear();
            _listener.RecordObservableInstruments();
            last = _measurements.LastOrDefault(m => m.Instrument == "http.server.active_requests" && Equals(m.Tags.GetValueOrDefault("http.request.method"), method)) is { Instrument: not null } found ? found.Value : null;
            if (last is { } value && expected(value))
            {
                return value;
            }

            await Task.Delay(20);
        }

        return last ?? double.NaN;
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var (key, tagValue) in tags)
        {
            copy[key] = tagValue;
        }

        _measurements.Enqueue((instrument.Name, value, copy));
    }

    /// <summary>The first measurement of <paramref name="instrument"/> whose tags match; waits (bounded), as answers are recorded once written.</summary>
    private async Task<(string Instrument, double Value, Dictionary<string, object?> Tags)> WaitFor(string instrument, Func<Dictionary<string, object?>, bool> tags)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var measurement in _measurements)
            {
                if (measurement.Instrument == instrument && tags(measurement.Tags))
                {
                    return measurement;
                }
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"no {instrument} measurement matched; seen: {string.Join(", ", _measurements.Select(m => m.Instrument))}");
    }
}
