using System.Net;
using ActorHttp.Protocol;
using Akka.Configuration;

namespace ActorHttp.Actors;

/// <summary>What <c>idle-response</c> does when a keep-alive connection has waited too long.</summary>
public enum IdleResponse
{
    RequestTimeout,
    Close,
}

/// <summary>The <c>actorhttp</c> section of the configuration, read once at start.</summary>
public sealed record ServerSettings
{
    /// <summary>How connections and handlers are scheduled (<c>actorhttp.server.model</c>).</summary>
    public ActorHttp.Models.ConcurrencyModel Model { get; init; } = ActorHttp.Models.ConcurrencyModel.Actors;

    /// <summary>The settings of the non-actor models (<c>actorhttp.models</c>).</summary>
    public ActorHttp.Models.ModelSettings Models { get; init; } = new();

    public string Host { get; init; } = "0.0.0.0";
    public int Port { get; init; } = 8080;
    public int ListenBacklog { get; init; } = 512;
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Most connections from one client address at once; 0 for no such limit.</summary>
    public int MaxConnectionsPerClient { get; init; }
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public IdleResponse IdleResponse { get; init; } = IdleResponse.RequestTimeout;
    public TimeSpan RequestHeaderTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan HandlerTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public int PipeliningLimit { get; init; } = 16;
    public TimeSpan LingerTimeout { get; init; } = TimeSpan.FromSeconds(1);
    public MinDataRate MinRequestBodyRate { get; init; } = new(240, TimeSpan.FromSeconds(5));
    public MinDataRate MinResponseDataRate { get; init; } = new(240, TimeSpan.FromSeconds(5));

    /// <summary>Most bytes of answers a connection holds for a client that is not reading them before it stops reading further requests.</summary>
    public int MaxResponseBuffer { get; init; } = 64 * 1024;
    public int ReceiveBufferSize { get; init; } = 4096;
    public bool AccessLog { get; init; } = true;

    /// <summary>The access log's own file (rolled daily and by size); empty for the other logs' output.</summary>
    public string AccessLogFile { get; init; } = string.Empty;
    public long AccessLogFileSizeLimit { get; init; } = 100L * 1024 * 1024;
    public int AccessLogFileCount { get; init; } = 31;

    /// <summary>Most access-log lines waiting to be written; past it lines are dropped and counted.</summary>
    public int AccessLogBuffer { get; init; } = 65_536;

    /// <summary>The configuration path of the dispatcher connection actors run on; empty for Akka's default one.</summary>
    public string ConnectionDispatcher { get; init; } = "actorhttp.connection-dispatcher";
    public HttpLimits Limits { get; init; } = HttpLimits.Default;
    public SupervisionSettings Supervision { get; init; } = new();
    public CompressionSettings Compression { get; init; } = new();
    public IReadOnlyList<ActorHttp.Routing.CorsPolicy> Cors { get; init; } = Array.Empty<ActorHttp.Routing.CorsPolicy>();
    public IReadOnlyList<ActorHttp.Routing.RateLimitRule> RateLimits { get; init; } = Array.Empty<ActorHttp.Routing.RateLimitRule>();

    /// <summary>What the connection core needs of these settings, for every concurrency model alike.</summary>
    /// <param name="streamedBodyLimit">The body limit of the route serving a head when that route streams its body; null when none does.</param>
    /// <param name="accessLog">Whether answered requests are logged (their Referer and User-Agent are then kept).</param>
    public ActorHttp.Protocol.Connection.ConnectionSettings ToConnectionSettings(Func<HttpRequest, long?>? streamedBodyLimit, bool accessLog) => new()
    {
        IdleTimeout = IdleTimeout,
        IdleTimeoutAnswers408 = IdleResponse == IdleResponse.RequestTimeout,
        RequestHeaderTimeout = RequestHeaderTimeout,
        HandlerTimeout = HandlerTimeout,
        LingerTimeout = LingerTimeout,
        PipeliningLimit = PipeliningLimit,
        MinRequestBodyRate = MinRequestBodyRate,
        MinResponseDataRate = MinResponseDataRate,
        MaxResponseBuffer = MaxResponseBuffer,
        ReceiveBufferSize = ReceiveBufferSize,
        Limits = Limits,
        Compression = Compression,
        Cors = Cors,
        StreamedBodyLimit = streamedBodyLimit,
        AccessLog = accessLog,
    };

    /// <summary>Reads the settings from the root configuration (the one holding <c>actorhttp { … }</c>).</summary>
    public static ServerSettings FromConfig(Config root)
    {
        var server = root.GetConfig("actorhttp.server") ?? throw new ConfigurationException("Missing actorhttp.server section");
        var limits = root.GetConfig("actorhttp.limits") ?? throw new ConfigurationException("Missing actorhttp.limits section");
        var supervision = root.GetConfig("actorhttp.supervision") ?? throw new ConfigurationException("Missing actorhttp.supervision section");
        var compression = root.GetConfig("actorhttp.compression") ?? throw new ConfigurationException("Missing actorhttp.compression section");
        var models = root.GetConfig("actorhttp.models") ?? throw new ConfigurationException("Missing actorhttp.models section");

        var settings = new ServerSettings
        {
            Model = ParseModel(Read(server, "server", "model", static (c, k) => c.GetString(k))),
            Models = new ActorHttp.Models.ModelSettings
            {
                PoolThreads = Read(models, "models", "pool.threads", static (c, k) => c.GetInt(k)),
                PoolQueue = Read(models, "models", "pool.queue", static (c, k) => c.GetInt(k)),
                EventLoops = Read(models, "models", "eventloop.loops", static (c, k) => c.GetInt(k)),
            },
            Host = Read(server, "server", "host", static (c, k) => c.GetString(k)),
            Port = Read(server, "server", "port", static (c, k) => c.GetInt(k)),
            ListenBacklog = Read(server, "server", "listen-backlog", static (c, k) => c.GetInt(k)),
            MaxConnections = Read(server, "server", "max-connections", static (c, k) => c.GetInt(k)),
            MaxConnectionsPerClient = Read(server, "server", "max-connections-per-client", static (c, k) => c.GetInt(k)),
            IdleTimeout = Read(server, "server", "idle-timeout", static (c, k) => c.GetTimeSpan(k)),
            IdleResponse = ParseIdleResponse(Read(server, "server", "idle-response", static (c, k) => c.GetString(k))),
            RequestHeaderTimeout = Read(server, "server", "request-header-timeout", static (c, k) => c.GetTimeSpan(k)),
            HandlerTimeout = Read(server, "server", "handler-timeout", static (c, k) => c.GetTimeSpan(k)),
            ShutdownTimeout = Read(server, "server", "shutdown-timeout", static (c, k) => c.GetTimeSpan(k)),
            PipeliningLimit = Read(server, "server", "pipelining-limit", static (c, k) => c.GetInt(k)),
            LingerTimeout = Read(server, "server", "linger-timeout", static (c, k) => c.GetTimeSpan(k)),
            MinRequestBodyRate = ReadRate(server, "min-request-body-rate"),
            MinResponseDataRate = ReadRate(server, "min-response-data-rate"),
            MaxResponseBuffer = checked((int)(Read(server, "server", "max-response-buffer", static (c, k) => c.GetByteSize(k)) ?? throw new ConfigurationException("actorhttp.server.max-response-buffer is not a size"))),
            ReceiveBufferSize = Read(server, "server", "receive-buffer-size", static (c, k) => c.GetInt(k)),
            AccessLog = Read(server, "server", "access-log", static (c, k) => c.GetBoolean(k)),
            AccessLogFile = Read(server, "server", "access-log-file", static (c, k) => c.GetString(k, string.Empty)),
            AccessLogFileSizeLimit = Read(server, "server", "access-log-file-size-limit", static (c, k) => c.GetByteSize(k)) ?? throw new ConfigurationException("actorhttp.server.access-log-file-size-limit is not a size"),
            AccessLogFileCount = Read(server, "server", "access-log-file-count", static (c, k) => c.GetInt(k)),
            AccessLogBuffer = Read(server, "server", "access-log-buffer", static (c, k) => c.GetInt(k)),
            ConnectionDispatcher = server.GetString("connection-dispatcher", string.Empty),
            Limits = new HttpLimits
            {
                MaxRequestLineBytes = checked((int)GetBytes(limits, "max-request-line")),
                MaxHeaderBytes = checked((int)GetBytes(limits, "max-header-bytes")),
                MaxHeaderCount = Read(limits, "limits", "max-headers", static (c, k) => c.GetInt(k)),
                MaxBodyBytes = GetBytes(limits, "max-body-bytes"),
            },
            Supervision = new SupervisionSettings
            {
                StartBackoffMin = Read(supervision, "supervision", "start-backoff-min", static (c, k) => c.GetTimeSpan(k)),
                StartBackoffMax = Read(supervision, "supervision", "start-backoff-max", static (c, k) => c.GetTimeSpan(k)),
                HandlerInstances = Read(supervision, "supervision", "handler-instances", static (c, k) => c.GetInt(k)),
            },
            Cors = ActorHttp.Routing.CorsPolicy.FromConfig(root),
            RateLimits = ActorHttp.Routing.RateLimitRule.FromConfig(root),
            Compression = new CompressionSettings
            {
                Enabled = Read(compression, "compression", "enabled", static (c, k) => c.GetBoolean(k)),
                MinimumBytes = Read(compression, "compression", "min-bytes", static (c, k) => c.GetInt(k)),
                Level = ParseCompressionLevel(Read(compression, "compression", "level", static (c, k) => c.GetString(k))),
                MediaTypes = Read(compression, "compression", "media-types", static (c, k) => c.GetStringList(k)).ToArray(),
            },
        };
        settings.Validate();
        return settings;
    }

    /// <summary>Refuses settings that would make the server misbehave, naming the key at fault.</summary>
    public void Validate()
    {
        Require(Port is >= 0 and <= 65535, "actorhttp.server.port must be between 0 and 65535");
        Require(IPAddress.TryParse(Host, out _) || Uri.CheckHostName(Host) != UriHostNameType.Unknown, "actorhttp.server.host is not an address or host name");
        Require(MaxConnections > 0, "actorhttp.server.max-connections must be positive");
        Require(MaxConnectionsPerClient >= 0, "actorhttp.server.max-connections-per-client must be 0 (no limit) or positive");
        Require(MinRequestBodyRate.BytesPerSecond >= 0 && MinRequestBodyRate.Grace >= TimeSpan.Zero, "actorhttp.server.min-request-body-rate and its grace must not be negative");
        Require(MinResponseDataRate.BytesPerSecond >= 0 && MinResponseDataRate.Grace >= TimeSpan.Zero, "actorhttp.server.min-response-data-rate and its grace must not be negative");
        Require(MaxResponseBuffer >= 1024, "actorhttp.server.max-response-buffer must be at least 1KiB");
        Require(PipeliningLimit > 0, "actorhttp.server.pipelining-limit must be positive");
        Require(AccessLogBuffer > 0, "actorhttp.server.access-log-buffer must be positive");
        Require(AccessLogFileSizeLimit >= 1024, "actorhttp.server.access-log-file-size-limit must be at least 1KiB");
        Require(AccessLogFileCount > 0, "actorhttp.server.access-log-file-count must be positive");
        Require(ReceiveBufferSize >= 512, "actorhttp.server.receive-buffer-size must be at least 512");
        Require(IdleTimeout > TimeSpan.Zero && RequestHeaderTimeout > TimeSpan.Zero && HandlerTimeout > TimeSpan.Zero, "actorhttp.server timeouts must be positive");
        Require(Limits.MaxRequestLineBytes > 0 && Limits.MaxHeaderBytes > 0 && Limits.MaxHeaderCount > 0 && Limits.MaxBodyBytes >= 0, "actorhttp.limits must be positive");
        Require(Supervision.HandlerInstances > 0, "actorhttp.supervision.handler-instances must be positive");
        Require(Supervision.StartBackoffMin > TimeSpan.Zero, "actorhttp.supervision.start-backoff-min must be positive");
        Require(Supervision.StartBackoffMax >= Supervision.StartBackoffMin, "actorhttp.supervision.start-backoff-max must not be below start-backoff-min");
        Require(Models.PoolThreads > 0, "actorhttp.models.pool.threads must be positive");
        Require(Models.PoolQueue > 0, "actorhttp.models.pool.queue must be positive");
        Require(Models.EventLoops > 0, "actorhttp.models.eventloop.loops must be positive");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ConfigurationException(message);
        }
    }

    /// <summary>A rate in bytes per second (0 turns it off) and its grace period, <c>KEY</c> and <c>KEY-grace</c>.</summary>
    private static MinDataRate ReadRate(Config server, string key)
    {
        var bytesPerSecond = Read(server, "server", key, static (c, k) => c.GetDouble(k));
        var grace = Read(server, "server", key + "-grace", static (c, k) => c.GetTimeSpan(k));
        return bytesPerSecond == 0 ? MinDataRate.Off : new MinDataRate(bytesPerSecond, grace);
    }

    private static long GetBytes(Config config, string key) =>
        Read(config, "limits", key, static (c, k) => c.GetByteSize(k)) ?? throw new ConfigurationException($"actorhttp.limits.{key} is not a size");

    // Akka's getters throw a bare FormatException ("The input string 'eighty' was not in a correct
    // format") that names neither the key nor the section; the user needs both to fix the file.
    private static T Read<T>(Config config, string section, string key, Func<Config, string, T> read)
    {
        try
        {
            return read(config, key);
        }
        catch (Exception error) when (error is FormatException or OverflowException or InvalidCastException or NotSupportedException)
        {
            throw new ConfigurationException($"actorhttp.{section}.{key} has an invalid value: {error.Message}");
        }
    }

    private static System.IO.Compression.CompressionLevel ParseCompressionLevel(string value) => value.Trim().ToLowerInvariant() switch
    {
        "fastest" => System.IO.Compression.CompressionLevel.Fastest,
        "optimal" => System.IO.Compression.CompressionLevel.Optimal,
        "smallest" => System.IO.Compression.CompressionLevel.SmallestSize,
        _ => throw new ConfigurationException($"actorhttp.compression.level must be \"fastest\", \"optimal\" or \"smallest\", not \"{value}\""),
    };

    private static ActorHttp.Models.ConcurrencyModel ParseModel(string value) =>
        ActorHttp.Models.ModelSettings.TryParseModel(value, out var model)
            ? model
            : throw new ConfigurationException($"actorhttp.server.model must be {ActorHttp.Models.ModelSettings.ModelNames}, not \"{value}\"");

    private static IdleResponse ParseIdleResponse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "408" => IdleResponse.RequestTimeout,
        "close" => IdleResponse.Close,
        _ => throw new ConfigurationException($"actorhttp.server.idle-response must be \"408\" or \"close\", not \"{value}\""),
    };
}

/// <summary>
/// How a route's supervisor runs its handlers (<c>actorhttp.supervision</c>). A handler that throws
/// is always restarted at once; these settings pace only the starts that fail.
/// </summary>
public sealed record SupervisionSettings
{
    /// <summary>
    /// Wait before starting a handler again after its second failed start in a row (the first is
    /// retried at once); it doubles after each further failure.
    /// </summary>
    public TimeSpan StartBackoffMin { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest wait between two start attempts of a handler that keeps failing to start.</summary>
    public TimeSpan StartBackoffMax { get; init; } = TimeSpan.FromSeconds(30);

    public int HandlerInstances { get; init; } = 2;
}
