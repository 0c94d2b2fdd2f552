using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Prometheus;

namespace ActorHttp.Observability;

/// <summary>
/// Publishes one server's meter in Prometheus's text format: a <see cref="MeterListener"/> on that
/// meter alone (a second server in the process has its own) feeds prometheus-net's own histograms,
/// gauges and counters in a registry of their own, and a scrape is prometheus-net's serialisation
/// of that registry (<see cref="CollectorRegistry.CollectAndExportAsTextAsync(Stream, CancellationToken)"/>).
/// </summary>
/// <remarks>
/// Not prometheus-net's <c>MeterAdapter</c>: with 8.2.1 on .NET 10 it connected to the instruments
/// but exported no measurement at all (checked with a bare meter and counter). This bridge is a
/// few lines and also gives the names OpenTelemetry's Prometheus exporters give
/// (<c>http.server.request.duration</c> in seconds → <c>http_server_request_duration_seconds</c>;
/// counters end in <c>_total</c>), with each instrument's label set fixed in advance, as Prometheus
/// wants (a tag left out is an empty label, as for <c>http.route</c> when no route matched).
/// </remarks>
public sealed class PrometheusExporter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<Instrument, Bridge> _bridges = [];

    public PrometheusExporter(Meter meter)
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!ReferenceEquals(instrument.Meter, meter) || !ServerMetrics.Labels.TryGetValue(instrument.Name, out var tags))
            {
                return;
            }

            lock (_bridges)
            {
                _bridges[instrument] = Bridge.For(factory, instrument, tags);
            }

            listener.EnableMeasurementEvents(instrument, _bridges[instrument]);
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((Bridge)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((Bridge)state!).Record(value, tags));
        _listener.Start();
    }

    public CollectorRegistry Registry { get; }

    /// <summary>The registry's current values as Prometheus text (version 0.0.4).</summary>
    public async Task<byte[]> ScrapeAsync(CancellationToken cancellationToken)
    {
        // The observable instruments (bytes in and out, requests under way) are read now, into their metrics.
        _listener.RecordObservableInstruments();
        using var buffer = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>The Prometheus name of an instrument: dots to underscores, the unit as a suffix, <c>_total</c> for counters.</summary>
    public static string PrometheusName(Instrument instrument)
    {
        var name = instrument.Name.Replace('.', '_');
        name += instrument.Unit switch
        {
            "s" => "_seconds",
            "By" => "_bytes",
            _ => string.Empty,
        };
        return instrument is Counter<long> or ObservableCounter<long> ? name + "_total" : name;
    }

    /// <summary>
    /// One instrument's Prometheus metric and how a measurement's tags become its labelled child.
    /// The child of each tag combination is looked up once and kept (prometheus-net keeps every
    /// child anyway, so this holds no more than it does): a measurement then costs a dictionary
    /// read on the tag values as they come, with no label strings made and no array allocated.
    /// The combinations are few by design (<see cref="ServerMetrics"/> tags only bounded values).
    /// </summary>
    private abstract class Bridge
    {
        public static Bridge For(MetricFactory factory, Instrument instrument, string[] tagNames)
        {
            if (tagNames.Length > LabelKey.MaxTags)
            {
                throw new InvalidOperationException($"{instrument.Name} has {tagNames.Length} tags; the Prometheus bridge keys its children by at most {LabelKey.MaxTags}");
            }

            var name = PrometheusName(instrument);
            var labels = tagNames.Select(tag => tag.Replace('.', '_')).ToArray();
            var help = instrument.Description ?? instrument.Name;
            return instrument switch
            {
                Histogram<double> histogram => new HistogramBridge(
                    factory.CreateHistogram(name, help, labels, new HistogramConfiguration { Buckets = [.. histogram.Advice?.HistogramBucketBoundaries ?? Histogram.ExponentialBuckets(0.001, 2, 16)] }),
                    tagNames),
                Counter<long> => new CounterBridge(factory.CreateCounter(name, help, labels), tagNames),
                ObservableCounter<long> => new ObservedCounterBridge(factory.CreateCounter(name, help, labels), tagNames),
                ObservableUpDownCounter<long> => new ObservedGaugeBridge(factory.CreateGauge(name, help, labels), tagNames),
                _ => new GaugeBridge(factory.CreateGauge(name, help, labels), tagNames),
            };
        }

        public abstract void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);
    }

    private abstract class Bridge<TChild>(string[] tagNames) : Bridge
        where TChild : class
    {
        private readonly ConcurrentDictionary<LabelKey, TChild> _children = new();

        protected abstract TChild WithLabels(string[] labelValues);

        protected TChild Child(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var key = LabelKey.Of(tagNames, tags);
            return _children.TryGetValue(key, out var child) ? child : _children.GetOrAdd(key, WithLabels(key.LabelValues(tagNames.Length)));
        }
    }

    private sealed class HistogramBridge(Histogram metric, string[] tagNames) : Bridge<Histogram.Child>(tagNames)
    {
        public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => Child(tags).Observe(value);

        protected override Histogram.Child WithLabels(string[] labelValues) => metric.WithLabels(labelValues);
    }

    private sealed class CounterBridge(Counter metric, string[] tagNames) : Bridge<Counter.Child>(tagNames)
    {
        public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => Child(tags).Inc(value);

        protected override Counter.Child WithLabels(string[] labelValues) => metric.WithLabels(labelValues);
    }

    /// <summary>An observable counter: each measurement is the running total, read when the scrape asks.</summary>
    private sealed class ObservedCounterBridge(Counter metric, string[] tagNames) : Bridge<Counter.Child>(tagNames)
    {
        public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => Child(tags).IncTo(value);

        protected override Counter.Child WithLabels(string[] labelValues) => metric.WithLabels(labelValues);
    }

    /// <summary>An up-down counter: each measurement is a change of the current value.</summary>
    private sealed class GaugeBridge(Gauge metric, string[] tagNames) : Bridge<Gauge.Child>(tagNames)
    {
        public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => Child(tags).Inc(value);

        protected override Gauge.Child WithLabels(string[] labelValues) => metric.WithLabels(labelValues);
    }

    /// <summary>An observable up-down counter: each measurement is the current value, read when the scrape asks.</summary>
    private sealed class ObservedGaugeBridge(Gauge metric, string[] tagNames) : Bridge<Gauge.Child>(tagNames)
    {
        public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => Child(tags).Set(value);

        protected override Gauge.Child WithLabels(string[] labelValues) => metric.WithLabels(labelValues);
    }

    /// <summary>
    /// A measurement's values of an instrument's tags, in the order of its labels (null: the tag is
    /// absent, an empty label). Equal when the values are (strings by text, status codes by number).
    /// </summary>
    private readonly record struct LabelKey(object? First, object? Second, object? Third)
    {
        public const int MaxTags = 3;

        public static LabelKey Of(string[] tagNames, ReadOnlySpan<KeyValuePair<string, object?>> tags) => new(
            tagNames.Length > 0 ? Find(tagNames[0], tags) : null,
            tagNames.Length > 1 ? Find(tagNames[1], tags) : null,
            tagNames.Length > 2 ? Find(tagNames[2], tags) : null);

        public string[] LabelValues(int count)
        {
            var values = new string[count];
            for (var i = 0; i < count; i++)
            {
                values[i] = Convert.ToString(i switch { 0 => First, 1 => Second, _ => Third }, CultureInfo.InvariantCulture) ?? string.Empty;
            }

            return values;
        }

        private static object? Find(string tagName, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var (key, value) in tags)
            {
                if (key == tagName)
                {
                    return value;
                }
            }

            return null;
        }
    }
}
