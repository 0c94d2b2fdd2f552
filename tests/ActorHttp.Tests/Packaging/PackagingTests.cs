using System.Text.Json;
using System.Xml.Linq;
using ActorHttp.Actors;
using ActorHttp.Hosting;
using ActorHttp.Server.Logging;
using ActorHttp.Tests.Support;
using Serilog.Events;

namespace ActorHttp.Tests.Packaging;

/// <summary>What the packages promise: one version, and a library that never logs to the console on its own.</summary>
public sealed class PackagingTests
{
    [Fact]
    public void The_template_references_the_packages_at_the_repositorys_version()
    {
        var version = XDocument.Load(Path.Combine(SharedData.RepositoryRoot, "Directory.Build.props"))
            .Descendants("VersionPrefix").Single().Value;
        using var template = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, "templates", "actorhttp", ".template.config", "template.json")));

        Assert.Matches(@"^\d+\.\d+\.\d+$", version);
        Assert.Equal(version, template.RootElement.GetProperty("symbols").GetProperty("ActorHttpVersion").GetProperty("defaultValue").GetString());
    }

    [Fact]
    public void The_library_has_no_console_sink_and_the_executable_has_one()
    {
        Assert.DoesNotContain(typeof(ActorHttpServer).Assembly.GetReferencedAssemblies(), a => a.Name == "Serilog.Sinks.Console");
        Assert.Contains(typeof(ConsoleLogging).Assembly.GetReferencedAssemblies(), a => a.Name == "Serilog.Sinks.Console");
    }

    [Fact]
    public void Without_a_logger_the_library_logs_to_serilogs_shared_logger()
    {
        var config = ServerConfiguration.Load(environment: new Dictionary<string, string>());

        Assert.Same(Serilog.Log.Logger, LogSetup.CreateLogger(config, callerLogger: null, logging: null));
    }

    [Fact]
    public void Without_a_logger_and_with_nobody_listening_there_is_no_access_log_at_all()
    {
        var config = ServerConfiguration.Load(environment: new Dictionary<string, string>());
        var settings = ServerSettings.FromConfig(config);

        Assert.True(settings.AccessLog);
        Assert.Null(LogSetup.CreateAccessLog(config, settings, Serilog.Core.Logger.None, callerLogger: null, logging: null));
    }

    [Fact]
    public void Without_a_logger_the_access_log_goes_to_the_servers_logger_when_it_listens()
    {
        var config = ServerConfiguration.Load(environment: new Dictionary<string, string>());
        var settings = ServerSettings.FromConfig(config);
        var listening = new Serilog.LoggerConfiguration().MinimumLevel.Is(LogEventLevel.Information).CreateLogger();

        using var accessLog = LogSetup.CreateAccessLog(config, settings, listening, callerLogger: null, logging: null);

        Assert.NotNull(accessLog);
    }
}
