using ActorHttp.Actors;
using ActorHttp.Handlers.Redirects;
using ActorHttp.Hosting;
using ActorHttp.Models;
using ActorHttp.Protocol;
using Akka.Configuration;

namespace ActorHttp.Tests.Hosting;

public sealed class ServerConfigurationTests : IDisposable
{
    private readonly List<string> _files = [];

    [Fact]
    public void Embedded_defaults_give_the_documented_settings()
    {
        var settings = ServerSettings.FromConfig(ServerConfiguration.Load());

        // The record's initialisers and hocon/actorhttp.conf document the same defaults; they must agree.
        Assert.Equal(new ServerSettings(), settings);
        Assert.Equal("0.0.0.0", settings.Host);
        Assert.Equal(8080, settings.Port);
        Assert.Equal(512, settings.ListenBacklog);
        Assert.Equal(10_000, settings.MaxConnections);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.IdleTimeout);
        Assert.Equal(IdleResponse.RequestTimeout, settings.IdleResponse);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.RequestHeaderTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.HandlerTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.ShutdownTimeout);
        Assert.Equal(16, settings.PipeliningLimit);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.LingerTimeout);
        Assert.Equal(4096, settings.ReceiveBufferSize);
        Assert.Equal(new MinDataRate(240, TimeSpan.FromSeconds(5)), settings.MinRequestBodyRate);
        Assert.Equal(new MinDataRate(240, TimeSpan.FromSeconds(5)), settings.MinResponseDataRate);
        Assert.Equal(64 * 1024, settings.MaxResponseBuffer);
        Assert.Equal(0, settings.MaxConnectionsPerClient);
        Assert.True(settings.AccessLog);
        Assert.Equal(8 * 1024, settings.Limits.MaxRequestLineBytes);
        Assert.Equal(32 * 1024, settings.Limits.MaxHeaderBytes);
        Assert.Equal(100, settings.Limits.MaxHeaderCount);
        Assert.Equal(30_000_000, settings.Limits.MaxBodyBytes);
        Assert.Equal(new SupervisionSettings { StartBackoffMin = TimeSpan.FromMilliseconds(100), StartBackoffMax = TimeSpan.FromSeconds(30), HandlerInstances = 2 }, settings.Supervision);
        Assert.Equal(ConcurrencyModel.Actors, settings.Model);
        Assert.Equal(new ModelSettings { PoolThreads = 200, PoolQueue = 100, EventLoops = 1 }, settings.Models);
    }

    [Fact]
    public void The_model_and_its_settings_are_read_and_the_command_line_model_wins()
    {
        var file = WriteConfig("""
            actorhttp.server.model = pool
            actorhttp.models.pool { threads = 16, queue = 8 }
            actorhttp.models.eventloop.loops = 2
            """);

        var fromFile = ServerSettings.FromConfig(ServerConfiguration.Load([file]));
        var fromCommandLine = ServerSettings.FromConfig(ServerConfiguration.Load([file], model: "EventLoop"));

        Assert.Equal(ConcurrencyModel.Pool, fromFile.Model);
        Assert.Equal(new ModelSettings { PoolThreads = 16, PoolQueue = 8, EventLoops = 2 }, fromFile.Models);
        Assert.Equal(ConcurrencyModel.EventLoop, fromCommandLine.Model);
    }

    [Theory]
    [InlineData("actorhttp.server.model = fibers", "actorhttp.server.model must be actors, threads, pool, eventloop or tasks, not \"fibers\"")]
    [InlineData("actorhttp.models.pool.threads = 0", "actorhttp.models.pool.threads must be positive")]
    [InlineData("actorhttp.models.pool.queue = 0", "actorhttp.models.pool.queue must be positive")]
    [InlineData("actorhttp.models.pool.threads = many", "actorhttp.models.pool.threads has an invalid value")]
    [InlineData("actorhttp.models.eventloop.loops = -1", "actorhttp.models.eventloop.loops must be positive")]
    public void Invalid_model_settings_are_refused_naming_the_key(string setting, string message)
    {
        var error = Assert.Throws<ConfigurationException>(() => ServerSettings.FromConfig(ServerConfiguration.Load(overrides: setting)));

        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void Defaults_name_the_logging_level_and_format()
    {
        var config = ServerConfiguration.Load();

        Assert.Equal("Information", config.GetString("actorhttp.logging.level"));
        Assert.Equal("text", config.GetString("actorhttp.logging.format"));
        Assert.Equal(Akka.Event.LogLevel.InfoLevel, LogSetup.AkkaLevel(config));
    }

    [Fact]
    public void Config_file_overrides_only_the_keys_it_sets()
    {
        var file = WriteConfig("""
            actorhttp.server.idle-timeout = 5s
            actorhttp.server.idle-response = close
            actorhttp.limits.max-headers = 50
            actorhttp.supervision {
              handler-instances = 4
              start-backoff-max = 5s
            }
            """);

        var settings = ServerSettings.FromConfig(ServerConfiguration.Load([file]));

        var expected = new ServerSettings
        {
            IdleTimeout = TimeSpan.FromSeconds(5),
            IdleResponse = IdleResponse.Close,
            Limits = HttpLimits.Default with { MaxHeaderCount = 50 },
            Supervision = new SupervisionSettings { HandlerInstances = 4, StartBackoffMax = TimeSpan.FromSeconds(5) },
        };
        Assert.Equal(expected, settings);
    }

    [Fact]
    public void Host_and_port_from_the_command_line_override_the_file()
    {
        var file = WriteConfig("""
            actorhttp.server.host = "10.1.2.3"
            actorhttp.server.port = 9000
            actorhttp.server.pipelining-limit = 4
            """);

        var settings = ServerSettings.FromConfig(ServerConfiguration.Load([file], host: "127.0.0.1", port: 0));

        Assert.Equal("127.0.0.1", settings.Host);
        Assert.Equal(0, settings.Port);
        // What the command line does not set still comes from the file.
        Assert.Equal(4, settings.PipeliningLimit);
    }

    [Fact]
    public void Code_overrides_sit_between_the_file_and_the_command_line()
    {
        var file = WriteConfig("""
            actorhttp.server.port = 9000
            actorhttp.server.max-connections = 7
            actorhttp.server.listen-backlog = 64
            """);

        var settings = ServerSettings.FromConfig(ServerConfiguration.Load(
            [file],
            overrides: "actorhttp.server.port = 9001\nactorhttp.server.max-connections = 8",
            port: 9002));

        Assert.Equal((9002, 8, 64), (settings.Port, settings.MaxConnections, settings.ListenBacklog));
    }

    [Fact]
    public void Missing_config_file_is_reported_with_its_path()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"actorhttp-missing-{Guid.NewGuid():N}.conf");

        var error = Assert.Throws<FileNotFoundException>(() => ServerConfiguration.Load([missing]));

        Assert.Contains(missing, error.Message);
    }

    [Theory]
    [InlineData("actorhttp.server.idle-response = \"maybe\"", "actorhttp.server.idle-response")]
    [InlineData("actorhttp.server.port = 70000", "actorhttp.server.port")]
    [InlineData("actorhttp.server.port = -1", "actorhttp.server.port")]
    [InlineData("actorhttp.server.pipelining-limit = 0", "actorhttp.server.pipelining-limit")]
    [InlineData("actorhttp.server.max-connections = 0", "actorhttp.server.max-connections")]
    [InlineData("actorhttp.server.receive-buffer-size = 100", "actorhttp.server.receive-buffer-size")]
    [InlineData("actorhttp.server.host = \"not a host!\"", "actorhttp.server.host")]
    [InlineData("actorhttp.supervision.handler-instances = 0", "actorhttp.supervision.handler-instances")]
    [InlineData("actorhttp.server.port = eighty", "actorhttp.server.port")]
    [InlineData("actorhttp.server.idle-timeout = soon", "actorhttp.server.idle-timeout")]
    [InlineData("actorhttp.limits.max-headers = many", "actorhttp.limits.max-headers")]
    [InlineData("actorhttp.limits.max-body-bytes = lots", "actorhttp.limits.max-body-bytes")]
    [InlineData("actorhttp.server.access-log = maybe", "actorhttp.server.access-log")]
    [InlineData("actorhttp.server.access-log-buffer = 0", "actorhttp.server.access-log-buffer")]
    [InlineData("actorhttp.server.access-log-buffer = plenty", "actorhttp.server.access-log-buffer")]
    [InlineData("actorhttp.server.access-log-file-size-limit = 10", "actorhttp.server.access-log-file-size-limit")]
    [InlineData("actorhttp.server.access-log-file-count = 0", "actorhttp.server.access-log-file-count")]
    [InlineData("actorhttp.compression.enabled = perhaps", "actorhttp.compression.enabled")]
    [InlineData("actorhttp.supervision.start-backoff-min = later", "actorhttp.supervision.start-backoff-min")]
    [InlineData("actorhttp.supervision.start-backoff-min = 0s", "actorhttp.supervision.start-backoff-min")]
    [InlineData("actorhttp.supervision.start-backoff-max = 50ms", "actorhttp.supervision.start-backoff-max")]
    public void Invalid_server_setting_is_refused_naming_the_key(string hocon, string key)
    {
        var config = ServerConfiguration.Load(overrides: hocon);

        var error = Assert.Throws<ConfigurationException>(() => ServerSettings.FromConfig(config));

        Assert.Contains(key, error.Message);
    }

    [Fact]
    public void Invalid_value_in_a_config_file_is_refused_naming_the_key()
    {
        var file = WriteConfig("actorhttp.server.idle-response = maybe");

        var error = Assert.Throws<ConfigurationException>(() => ServerSettings.FromConfig(ServerConfiguration.Load([file])));

        Assert.Contains("actorhttp.server.idle-response", error.Message);
        Assert.Contains("maybe", error.Message);
    }

    [Fact]
    public void A_rate_of_zero_turns_the_minimum_rate_off()
    {
        var settings = ServerSettings.FromConfig(ServerConfiguration.Load(overrides: """
            actorhttp.server.min-request-body-rate = 0
            actorhttp.server.min-response-data-rate = 1000
            actorhttp.server.min-response-data-rate-grace = 2s
            """));

        Assert.False(settings.MinRequestBodyRate.Enabled);
        Assert.Equal(new MinDataRate(1000, TimeSpan.FromSeconds(2)), settings.MinResponseDataRate);
    }

    [Theory]
    [InlineData("actorhttp.server.min-request-body-rate = fast", "actorhttp.server.min-request-body-rate")]
    [InlineData("actorhttp.server.min-response-data-rate = -5", "actorhttp.server.min-response-data-rate")]
    [InlineData("actorhttp.server.max-connections-per-client = -1", "actorhttp.server.max-connections-per-client")]
    [InlineData("actorhttp.server.max-response-buffer = 10", "actorhttp.server.max-response-buffer")]
    public void Invalid_limits_and_rates_are_refused_naming_the_key(string setting, string key)
    {
        var error = Assert.Throws<Akka.Configuration.ConfigurationException>(() => ServerSettings.FromConfig(ServerConfiguration.Load(overrides: setting)));

        Assert.Contains(key, error.Message);
    }

    [Fact]
    public void Unknown_logging_level_is_refused_naming_the_key()
    {
        var config = ServerConfiguration.Load(overrides: "actorhttp.logging.level = Chatty");

        var error = Assert.Throws<ConfigurationException>(() => LogSetup.CreateLogger(config, callerLogger: null, logging: null));

        Assert.Contains("actorhttp.logging.level", error.Message);
        Assert.Contains("Chatty", error.Message);
        Assert.Throws<ConfigurationException>(() => LogSetup.AkkaLevel(config));
    }

    [Fact]
    public void Unknown_logging_format_is_refused_naming_the_key()
    {
        var config = ServerConfiguration.Load(overrides: "actorhttp.logging.format = xml");

        var error = Assert.Throws<ConfigurationException>(() => LogSetup.CreateLogger(config, callerLogger: null, logging: null));

        Assert.Contains("actorhttp.logging.format", error.Message);
    }

    [Theory]
    [InlineData("Verbose", Akka.Event.LogLevel.DebugLevel)]
    [InlineData("debug", Akka.Event.LogLevel.DebugLevel)]
    [InlineData("Warning", Akka.Event.LogLevel.WarningLevel)]
    [InlineData("Fatal", Akka.Event.LogLevel.ErrorLevel)]
    public void Logging_level_maps_onto_akkas_levels(string level, Akka.Event.LogLevel expected)
    {
        var config = ServerConfiguration.Load(overrides: $"actorhttp.logging.level = {level}");

        Assert.Equal(expected, LogSetup.AkkaLevel(config));
    }

    private static readonly IReadOnlyDictionary<string, string> NoEnvironment = new Dictionary<string, string>();

    private static ServerSettings Settings(IReadOnlyList<string>? files = null, IReadOnlyDictionary<string, string>? environment = null, string? overrides = null, int? port = null) =>
        ServerSettings.FromConfig(ServerConfiguration.Load(files, overrides, port: port, environment: environment ?? NoEnvironment));

    [Fact]
    public void Optional_substitution_takes_the_environment_variable_when_set()
    {
        var file = WriteConfig("""
            actorhttp.server.port = ${?PORT}
            actorhttp.server { host = ${?BIND} }
            """);

        var settings = Settings([file], new Dictionary<string, string> { ["PORT"] = "9000", ["BIND"] = "127.0.0.1" });

        Assert.Equal((9000, "127.0.0.1"), (settings.Port, settings.Host));
    }

    [Fact]
    public void Optional_substitution_unset_leaves_the_key_at_its_lower_layer_value()
    {
        var first = WriteConfig("actorhttp.server.port = 9000");
        var second = WriteConfig("""
            actorhttp.server.port = ${?PORT}
            actorhttp.server { idle-timeout = ${?IDLE} }
            actorhttp.server.pipelining-limit = 4
            """);

        var settings = Settings([first, second]);

        Assert.Equal(9000, settings.Port);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.IdleTimeout);
        Assert.Equal(4, settings.PipeliningLimit);
    }

    [Fact]
    public void Optional_self_reference_keeps_the_lower_layer_value()
    {
        // Akka's parser read ${?…} as a reference to the root, which contained itself: a stack overflow.
        var file = WriteConfig("actorhttp.server.host = ${?actorhttp.server.host}");

        Assert.Equal("0.0.0.0", Settings([file]).Host);
    }

    [Fact]
    public void Optional_substitution_in_a_concatenation_is_empty_when_unset()
    {
        var file = WriteConfig("actorhttp.uploads.folder = /srv/${?TENANT}uploads");

        var config = ServerConfiguration.Load([file], environment: NoEnvironment);

        Assert.Equal("/srv/uploads", config.GetString("actorhttp.uploads.folder"));
    }

    [Fact]
    public void Required_substitution_takes_the_environment_variable_or_another_key_of_the_file()
    {
        var file = WriteConfig("""
            actorhttp.server.port = ${PORT}
            actorhttp.server.max-connections = 50
            actorhttp.server.listen-backlog = ${actorhttp.server.max-connections}
            """);

        var settings = Settings([file], new Dictionary<string, string> { ["PORT"] = "9001" });

        Assert.Equal((9001, 50), (settings.Port, settings.ListenBacklog));
    }

    [Fact]
    public void Unresolvable_required_substitution_is_refused_naming_file_line_and_variable()
    {
        var file = WriteConfig("""
            # the port comes from the platform
            actorhttp.server.port = ${PORT}
            """);

        var error = Assert.Throws<ConfigurationException>(() => Settings([file]));

        Assert.StartsWith($"{file}:2: ${{PORT}} is neither an environment variable nor a key of this file", error.Message);
    }

    [Theory]
    [InlineData("actorhttp.server.host = ${actorhttp.server.host}")]
    [InlineData("a = ${b}\nb = ${a}")]
    public void Substitution_that_leads_back_to_itself_is_refused_instead_of_overflowing_the_stack(string hocon)
    {
        var file = WriteConfig(hocon);

        var error = Assert.Throws<ConfigurationException>(() => Settings([file]));

        Assert.Contains("leads back to itself", error.Message);
    }

    [Theory]
    [InlineData("actorhttp.server {\n  port = \n}", 2, "has no value")]
    [InlineData("actorhttp.server {\n  port = 80\n", 1, "never closed")]
    [InlineData("actorhttp.server {\n  host = \"abc\n}", 2, "not closed on its line")]
    [InlineData("actorhttp.server {\n  port = 80\n]", 3, "closes the '{' of line 1")]
    [InlineData("a = 1\nb = 2\n}", 3, "closes nothing")]
    [InlineData("actorhttp.server.port = ${PORT", 1, "not closed on its line")]
    [InlineData("actorhttp.server.port = ${?}", 1, "names nothing")]
    public void Syntax_error_in_a_file_is_refused_naming_the_file_and_line(string hocon, int line, string problem)
    {
        var file = WriteConfig(hocon);

        var error = Assert.Throws<ConfigurationException>(() => Settings([file]));

        Assert.StartsWith($"{file}:{line}: ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Strings_and_comments_are_not_mistaken_for_syntax()
    {
        var file = WriteConfig(""""
            # a comment with { and ${NOT_A_SUBSTITUTION}
            actorhttp.server.host = "127.0.0.1" // trailing comment ]
            actorhttp.uploads.folder = "/tmp/{odd} ${not substituted}"
            actorhttp.auth.users-file = """/tmp/"users" """
            """");

        var config = ServerConfiguration.Load([file], environment: NoEnvironment);

        Assert.Equal("127.0.0.1", config.GetString("actorhttp.server.host"));
        Assert.Equal("/tmp/{odd} ${not substituted}", config.GetString("actorhttp.uploads.folder"));
        Assert.Equal("/tmp/\"users\"", config.GetString("actorhttp.auth.users-file"));
    }

    [Theory]
    [InlineData("ACTORHTTP__SERVER__PORT", "9000", "actorhttp.server.port", "9000")]
    [InlineData("ACTORHTTP__SERVER__MAX_CONNECTIONS", "500", "actorhttp.server.max-connections", "500")]
    [InlineData("actorhttp__server__max-connections", "500", "actorhttp.server.max-connections", "500")]
    [InlineData("ActorHttp__Server__Idle_Timeout", "5s", "actorhttp.server.idle-timeout", "5s")]
    [InlineData("ACTORHTTP__SERVER__MAX_RESPONSE_BUFFER", "128KiB", "actorhttp.server.max-response-buffer", "128KiB")]
    [InlineData("ACTORHTTP__SERVER__HOST", "\"127.0.0.1\"", "actorhttp.server.host", "127.0.0.1")]
    [InlineData("ACTORHTTP__STATIC_FILES__ROOT", "C:\\sites\\my site", "actorhttp.static-files.root", "C:\\sites\\my site")]
    [InlineData("ACTORHTTP__PROXY__DEFAULT", "http://upstream:5000/v1", "actorhttp.proxy.default", "http://upstream:5000/v1")]
    public void Environment_variable_sets_the_key_its_name_maps_to(string variable, string value, string key, string expected)
    {
        var config = ServerConfiguration.Load(environment: new Dictionary<string, string> { [variable] = value });

        Assert.Equal(expected, config.GetString(key));
    }

    [Fact]
    public void Environment_variable_may_hold_a_hocon_list_or_object()
    {
        var config = ServerConfiguration.Load(environment: new Dictionary<string, string>
        {
            ["ACTORHTTP__COMPRESSION__MEDIA_TYPES"] = """["text/", "application/json"]""",
            ["ACTORHTTP__REDIRECTS"] = """[ { from = "/old", to = "/new", status = 308 } ]""",
        });

        Assert.Equal(["text/", "application/json"], config.GetStringList("actorhttp.compression.media-types"));
        Assert.Equal(new RedirectRule("/old", "/new", 308), Assert.Single(RedirectRule.FromConfig(config)));
    }

    [Fact]
    public void Only_variables_starting_with_the_prefix_are_read()
    {
        var settings = Settings(environment: new Dictionary<string, string>
        {
            ["PORT"] = "1",
            ["ACTORHTTP_SERVER_PORT"] = "2",
            ["XACTORHTTP__SERVER__PORT"] = "3",
        });

        Assert.Equal(8080, settings.Port);
    }

    [Fact]
    public void Layers_apply_in_order_defaults_files_code_environment_command_line()
    {
        var first = WriteConfig("""
            actorhttp.server.port = 1
            actorhttp.server.max-connections = 1
            actorhttp.server.listen-backlog = 1
            actorhttp.server.pipelining-limit = 1
            actorhttp.server.receive-buffer-size = 1024
            """);
        var second = WriteConfig("""
            actorhttp.server.port = 2
            actorhttp.server.max-connections = 2
            actorhttp.server.listen-backlog = 2
            actorhttp.server.pipelining-limit = 2
            """);
        var environment = new Dictionary<string, string>
        {
            ["ACTORHTTP__SERVER__PORT"] = "4",
            ["ACTORHTTP__SERVER__MAX_CONNECTIONS"] = "4",
        };

        var settings = Settings([first, second], environment, overrides: "actorhttp.server.port = 3\nactorhttp.server.max-connections = 3\nactorhttp.server.listen-backlog = 3", port: 5);

        Assert.Equal(5, settings.Port);
        Assert.Equal(4, settings.MaxConnections);
        Assert.Equal(3, settings.ListenBacklog);
        Assert.Equal(2, settings.PipeliningLimit);
        Assert.Equal(1024, settings.ReceiveBufferSize);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.IdleTimeout);
    }

    [Theory]
    [InlineData("ACTORHTTP__")]
    [InlineData("ACTORHTTP__SERVER____PORT")]
    [InlineData("ACTORHTTP__SERVER__PO.RT")]
    public void Environment_variable_that_names_no_key_is_refused_naming_it(string variable)
    {
        var error = Assert.Throws<ConfigurationException>(() => ServerConfiguration.Load(environment: new Dictionary<string, string> { [variable] = "1" }));

        Assert.Contains($"environment variable {variable}", error.Message);
    }

    [Fact]
    public void Two_spellings_of_one_key_in_the_environment_are_refused()
    {
        var error = Assert.Throws<ConfigurationException>(() => ServerConfiguration.Load(environment: new Dictionary<string, string>
        {
            ["ACTORHTTP__SERVER__PORT"] = "1",
            ["actorhttp__server__port"] = "2",
        }));

        Assert.Contains("both set actorhttp.server.port", error.Message);
    }

    [Fact]
    public void Environment_variable_with_broken_hocon_is_refused_naming_it()
    {
        var error = Assert.Throws<ConfigurationException>(() => ServerConfiguration.Load(environment: new Dictionary<string, string>
        {
            ["ACTORHTTP__COMPRESSION__MEDIA_TYPES"] = """["text/", """,
        }));

        Assert.StartsWith("environment variable ACTORHTTP__COMPRESSION__MEDIA_TYPES: ", error.Message);
    }

    [Fact]
    public void Invalid_value_from_the_environment_is_reported_with_the_variable()
    {
        var environment = new Dictionary<string, string> { ["ACTORHTTP__SERVER__PIPELINING_LIMIT"] = "none" };
        var error = Assert.Throws<ConfigurationException>(() => Settings(environment: environment));

        var message = ServerConfiguration.NameTheVariable(error.Message, environment);

        Assert.Contains("actorhttp.server.pipelining-limit", message);
        Assert.EndsWith("(set by environment variable ACTORHTTP__SERVER__PIPELINING_LIMIT)", message);
        Assert.Equal(error.Message, ServerConfiguration.NameTheVariable(error.Message, NoEnvironment));
    }

    public void Dispose()
    {
        foreach (var file in _files)
        {
            File.Delete(file);
        }
    }

    private string WriteConfig(string hocon)
    {
        var file = Path.Combine(Path.GetTempPath(), $"actorhttp-test-{Guid.NewGuid():N}.conf");
        File.WriteAllText(file, hocon);
        _files.Add(file);
        return file;
    }
}
