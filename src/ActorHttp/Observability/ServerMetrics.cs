using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Sockets;

namespace ActorHttp.Observability;

/// <summary>
/// The server's instruments, on the meter <c>ActorHttp</c>, named after OpenTelemetry's HTTP
/// semantic conventions where one exists (<c>http.server.*</c>) and after Kestrel's connection
/// metrics otherwise. Created once per server; each record call first asks the instrument whether
/// anybody listens (<see cref="Instrument.Enabled"/>), so with no listener (no exporter, no
/// <c>dotnet-counters</c>) a request costs a few field reads and no tag is built.
/// </summary>
/// <remarks>
/// Tags are bounded: the route template (never the raw path), methods outside the standard set as
/// <c>_OTHER</c> (as the conventions say), status codes, exception type names of handlers.
/// </remarks>
public sealed class ServerMetrics : IDisposable
{
    public const string MeterName = "ActorHttp";

    // The OpenTelemetry HTTP conventions' advised boundaries for http.server.request.duration.
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    // Kestrel's advice for kestrel.connection.duration: connections live from milliseconds to hours.
    private static readonly double[] ConnectionBuckets = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

    // The method tags: the standard methods and _OTHER, last; a request's tag is one of these instances.
    private static readonly string[] MethodTags = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "_OTHER"];

    // Status codes as tag values, boxed once: a tag is an object, and boxing the code of every request anew is an allocation per request.
    private static readonly object[] BoxedStatusCodes = Enumerable.Range(100, 500).Select(static code => (object)code).ToArray();

    /// <summary>Every instrument's name and the tags it may carry (an exporter such as Prometheus needs each metric's label set in advance).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Labels = new Dictionary<string, string[]>
    {
        ["http.server.request.duration"] = ["http.request.method", "http.response.status_code", "http.route"],
        ["http.server.active_requests"] = ["http.request.method"],
        ["actorhttp.connections.active"] = ["network.transport", "network.type"],
        ["actorhttp.connections.duration"] = ["network.transport", "network.type"],
        ["actorhttp.connections.rejected"] = ["actorhttp.rejection.reason"],
        ["actorhttp.requests.refused"] = ["http.response.status_code"],
        ["actorhttp.handler.crashes"] = ["http.route", "error.type"],
        ["actorhttp.handler.restarts"] = ["http.route"],
        ["actorhttp.handler.shed"] = ["http.route"],
        ["actorhttp.io.received"] = [],
        ["actorhttp.io.sent"] = [],
    };

    private readonly bool _ownsMeter;
    private readonly Histogram<double> _requestDuration;
    // Requests under way are counted here per method tag and read by listeners when they collect
    // (an observable up-down counter): a measurement in and one out of every request through every
    // listener would cost more than the count. Only requests started while somebody listens are
    // counted, in and out (the connection remembers which), so the count never goes below zero.
    private readonly ObservableUpDownCounter<long> _activeRequests;
    private readonly long[] _activeByMethod = new long[MethodTags.Length];
    private readonly bool[] _methodSeen = new bool[MethodTags.Length];
    private readonly UpDownCounter<long> _activeConnections;
    private readonly Histogram<double> _connectionDuration;
    private readonly Counter<long> _rejectedConnections;
    private readonly Counter<long> _refusedRequests;
    private readonly Counter<long> _handlerCrashes;
    private readonly Counter<long> _handlerRestarts;
    private readonly Counter<long> _shedRequests;
    // Bytes in and out are summed here and read by listeners when they collect (observable
    // counters): two measurements per request through every listener (the Prometheus bridge, the
    // OpenTelemetry SDK) cost more than the request's own parsing; an interlocked add does not.
    // Nobody listening (the default: metrics off, no OTLP), nothing is summed: every connection's
    // reads and writes would otherwise share one cache line between the cores for nothing.
    private readonly ObservableCounter<long> _bytesReceivedCounter;
    private readonly ObservableCounter<long> _bytesSentCounter;
    private long _bytesReceived;
    private long _bytesSent;

    /// <param name="meterFactory">The application's factory (one meter per container, as ASP.NET Core does, so two servers in one process keep apart); null for a meter of its own.</param>
    public ServerMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _requestDuration = Meter.CreateHistogram(
            "http.server.request.duration",
            unit: "s",
            description: "Duration of HTTP server requests, from the parsed head to the last byte of the answer written.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _activeRequests = Meter.CreateObservableUpDownCounter("http.server.active_requests", ObserveActiveRequests, unit: "{request}", description: "Requests parsed and not yet answered.");
        _activeConnections = Meter.CreateUpDownCounter<long>("actorhttp.connections.active", unit: "{connection}", description: "Connections open (those refused at a connection limit not counted).");
        _connectionDuration = Meter.CreateHistogram(
            "actorhttp.connections.duration",
            unit: "s",
            description: "How long connections stay open.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ConnectionBuckets });
        _rejectedConnections = Meter.CreateCounter<long>("actorhttp.connections.rejected", unit: "{connection}", description: "Connections answered 503 and closed at max-connections or max-connections-per-client, or dropped while draining.");
        _refusedRequests = Meter.CreateCounter<long>("actorhttp.requests.refused", unit: "{request}", description: "Requests the connection refused before any handler saw them (400, 408, 413, 414, 431, 501, 505), by status code.");
        _handlerCrashes = Meter.CreateCounter<long>("actorhttp.handler.crashes", unit: "{crash}", description: "Handler actors that threw, by route and exception type.");
        _handlerRestarts = Meter.CreateCounter<long>("actorhttp.handler.restarts", unit: "{restart}", description: "Handler actors restarted or started again after a failed start, by route.");
        _shedRequests = Meter.CreateCounter<long>("actorhttp.handler.shed", unit: "{request}", description: "Requests answered 503 because none of the route's handlers was running (a crash storm or failing starts), by route.");
        _bytesReceivedCounter = Meter.CreateObservableCounter("actorhttp.io.received", () => Interlocked.Read(ref _bytesReceived), unit: "By", description: "Bytes read from client connections.");
        _bytesSentCounter = Meter.CreateObservableCounter("actorhttp.io.sent", () => Interlocked.Read(ref _bytesSent), unit: "By", description: "Bytes written to client connections.");
    }

    public Meter Meter { get; }

    /// <summary>Whether anything records per-request metrics (so a connection needs to keep its per-request state).</summary>
    public bool RequestsObserved => _requestDuration.Enabled || _activeRequests.Enabled;

    /// <summary>The method as a tag value: one of the standard methods, or <c>_OTHER</c> (a client must not be able to mint tag values).</summary>
    public static string MethodTag(string method) => MethodTags[MethodIndex(method)];

    private static int MethodIndex(string method) => method switch
    {
        "GET" => 0,
        "HEAD" => 1,
        "POST" => 2,
        "PUT" => 3,
        "DELETE" => 4,
        "CONNECT" => 5,
        "OPTIONS" => 6,
        "TRACE" => 7,
        "PATCH" => 8,
        _ => MethodTags.Length - 1,
    };

    /// <summary>A status code as a tag value: the same boxed number every time for 100–599.</summary>
    public static object StatusCodeTag(int statusCode) =>
        statusCode is >= 100 and < 600 ? BoxedStatusCodes[statusCode - 100] : statusCode;

    /// <summary>Counts a request in <c>http.server.active_requests</c> if anybody listens; true when it was (it must then be counted out: <see cref="RequestEnded"/> with <c>counted</c>, or <see cref="RequestAbandoned"/>).</summary>
    public bool RequestStarted(string methodTag)
    {
        if (!_activeRequests.Enabled)
        {
            return false;
        }

        var index = MethodIndex(methodTag);
        // Read before written: a write on every request would bounce the flags' cache line between the cores.
        if (!_methodSeen[index])
        {
            _methodSeen[index] = true;
        }

        Interlocked.Increment(ref _activeByMethod[index]);
        return true;
    }

    /// <param name="counted">Whether <see cref="RequestStarted"/> counted it in.</param>
    /// <param name="route">The route template that served it; null when no route matched (404, 405, …), and the tag is left out, as the conventions say.</param>
    public void RequestEnded(string methodTag, bool counted, int statusCode, string? route, long startTimestamp, long endTimestamp)
    {
        if (counted)
        {
            Interlocked.Decrement(ref _activeByMethod[MethodIndex(methodTag)]);
        }

        if (!_requestDuration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "http.request.method", methodTag },
            { "http.response.status_code", StatusCodeTag(statusCode) },
        };
        if (route is not null)
        {
            tags.Add("http.route", route);
        }

        _requestDuration.Record(Stopwatch.GetElapsedTime(startTimestamp, endTimestamp).TotalSeconds, tags);
    }

    /// <summary>A request that was counted as started but will never be answered (its connection closed first).</summary>
    public void RequestAbandoned(string methodTag) => Interlocked.Decrement(ref _activeByMethod[MethodIndex(methodTag)]);

    public void RequestRefused(int statusCode)
    {
        if (_refusedRequests.Enabled)
        {
            _refusedRequests.Add(1, new KeyValuePair<string, object?>("http.response.status_code", StatusCodeTag(statusCode)));
        }
    }

    public void ConnectionOpened(AddressFamily family)
    {
        if (_activeConnections.Enabled)
        {
            _activeConnections.Add(1, ConnectionTags(family));
        }
    }

    public void ConnectionClosed(AddressFamily family, long openedTimestamp)
    {
        if (_activeConnections.Enabled)
        {
            _activeConnections.Add(-1, ConnectionTags(family));
        }

        if (_connectionDuration.Enabled)
        {
            _connectionDuration.Record(Stopwatch.GetElapsedTime(openedTimestamp).TotalSeconds, ConnectionTags(family));
        }
    }

    /// <param name="reason"><c>max-connections</c>, <c>max-connections-per-client</c> or <c>draining</c>.</param>
    public void ConnectionRejected(string reason)
    {
        if (_rejectedConnections.Enabled)
        {
            _rejectedConnections.Add(1, new KeyValuePair<string, object?>("actorhttp.rejection.reason", reason));
        }
    }

    public void HandlerCrashed(string route, Exception error)
    {
        if (_handlerCrashes.Enabled)
        {
            _handlerCrashes.Add(1, new KeyValuePair<string, object?>("http.route", route), new KeyValuePair<string, object?>("error.type", (error is Akka.Actor.ActorInitializationException { InnerException: { } inner } ? inner : error).GetType().FullName));
        }
    }

    public void HandlerRestarted(string route)
    {
        if (_handlerRestarts.Enabled)
        {
            _handlerRestarts.Add(1, new KeyValuePair<string, object?>("http.route", route));
        }
    }

    public void RequestShed(string route)
    {
        if (_shedRequests.Enabled)
        {
            _shedRequests.Add(1, new KeyValuePair<string, object?>("http.route", route));
        }
    }

    public void BytesReceived(int count)
    {
        if (count > 0 && _bytesReceivedCounter.Enabled)
        {
            Interlocked.Add(ref _bytesReceived, count);
        }
    }

    public void BytesSent(int count)
    {
        if (count > 0 && _bytesSentCounter.Enabled)
        {
            Interlocked.Add(ref _bytesSent, count);
        }
    }

    public void Dispose()
    {
        // A meter from the factory is the factory's to dispose, with the container.
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }

    /// <summary>The requests under way of each method seen so far (a method once seen stays, at zero when none is under way).</summary>
    private IEnumerable<Measurement<long>> ObserveActiveRequests()
    {
        for (var i = 0; i < MethodTags.Length; i++)
        {
            if (_methodSeen[i])
            {
                yield return new Measurement<long>(Interlocked.Read(ref _activeByMethod[i]), new KeyValuePair<string, object?>("http.request.method", MethodTags[i]));
            }
        }
    }

    private static TagList ConnectionTags(AddressFamily family) => new()
    {
        { "network.transport", "tcp" },
        { "network.type", family == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4" },
    };
}
