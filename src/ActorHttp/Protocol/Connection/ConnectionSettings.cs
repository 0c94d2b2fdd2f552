using ActorHttp.Routing;

namespace ActorHttp.Protocol.Connection;

/// <summary>
/// What the connection core needs of the server's settings (<c>actorhttp.server</c>,
/// <c>actorhttp.limits</c>, <c>actorhttp.compression</c>, <c>actorhttp.cors</c>), with durations
/// in the caller's clock ticks: the core never reads a clock, every call brings the time.
/// </summary>
public sealed record ConnectionSettings
{
    /// <summary>Ticks per second of the timestamps the caller passes (Stopwatch.Frequency for Stopwatch timestamps).</summary>
    public long TicksPerSecond { get; init; } = System.Diagnostics.Stopwatch.Frequency;

    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Whether an idle keep-alive connection is answered 408 before closing (true) or closed silently.</summary>
    public bool IdleTimeoutAnswers408 { get; init; } = true;
    public TimeSpan RequestHeaderTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan HandlerTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan LingerTimeout { get; init; } = TimeSpan.FromSeconds(1);
    public int PipeliningLimit { get; init; } = 16;
    public MinDataRate MinRequestBodyRate { get; init; } = new(240, TimeSpan.FromSeconds(5));
    public MinDataRate MinResponseDataRate { get; init; } = new(240, TimeSpan.FromSeconds(5));
    public int MaxResponseBuffer { get; init; } = 64 * 1024;
    public int ReceiveBufferSize { get; init; } = 4096;
    public HttpLimits Limits { get; init; } = HttpLimits.Default;
    public CompressionSettings Compression { get; init; } = new();
    public IReadOnlyList<CorsPolicy> Cors { get; init; } = [];

    /// <summary>The body limit of a route that reads its body as a stream, from the request's head; null for buffered bodies.</summary>
    public Func<HttpRequest, long?>? StreamedBodyLimit { get; init; }

    /// <summary>Whether answered requests are reported to <see cref="IConnectionHost.OnAnswered"/> with their Referer and User-Agent.</summary>
    public bool AccessLog { get; init; }
}
