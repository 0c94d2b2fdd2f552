using ActorHttp.Handlers;
using ActorHttp.Protocol;
using Akka.Actor;

namespace ActorHttp.Observability;

/// <summary><c>GET /metrics</c>: a Prometheus scrape of the server's meter (see <see cref="PrometheusExporter"/>).</summary>
public sealed class MetricsHandler(PrometheusExporter exporter) : HttpHandlerActor
{
    // What prometheus-net's own servers answer with: the text exposition format, version 0.0.4.
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    // A scrape that takes longer than this is given up; Prometheus's default scrape timeout is 10 s.
    private static readonly TimeSpan ScrapeTimeout = TimeSpan.FromSeconds(10);

    public static Props Props(PrometheusExporter exporter) => Akka.Actor.Props.Create(() => new MetricsHandler(exporter));

    protected override void OnRequest(RequestContext context) => RespondAsync(context, Scrape());

    private async Task<HttpResponse> Scrape()
    {
        using var timeout = new CancellationTokenSource(ScrapeTimeout);
        var body = await exporter.ScrapeAsync(timeout.Token).ConfigureAwait(false);
        return new HttpResponse
        {
            StatusCode = 200,
            Headers = [new("Content-Type", ContentType), new("Cache-Control", "no-store")],
            Body = body,
        };
    }
}
