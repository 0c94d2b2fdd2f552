using System.Diagnostics.Metrics;
using Prometheus;

namespace ActorHttp.Observability;

/// <summary>
/// Publishes one server's meter in Prometheus's text format through prometheus-net: its
/// <see cref="MeterAdapter"/> listens to the meter (and only to it: a second server in the same
/// process has its own) and feeds a registry of its own, which a scrape serialises.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private readonly IDisposable _adapter;

    public PrometheusExporter(Meter meter)
    {
        Registry = Metrics.NewCustomRegistry();
        _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            InstrumentFilterPredicate = instrument => ReferenceEquals(instrument.Meter, meter),
            Registry = Registry,
        });
    }

    public CollectorRegistry Registry { get; }

    /// <summary>The registry's current values as Prometheus text (version 0.0.4).</summary>
    public async Task<byte[]> ScrapeAsync(CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    public void Dispose() => _adapter.Dispose();
}
