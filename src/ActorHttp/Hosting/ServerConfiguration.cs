using System.Globalization;
using Akka.Configuration;

namespace ActorHttp.Hosting;

/// <summary>
/// Builds the configuration in layers, each overriding the one below: the defaults of
/// <c>hocon/actorhttp.conf</c> (embedded), the <c>--config</c> file, code overrides, then
/// <c>--host</c>/<c>--port</c>.
/// </summary>
public static class ServerConfiguration
{
    public static Config Defaults { get; } = LoadDefaults();

    public static Config Load(string? configFile = null, string? overrides = null, string? host = null, int? port = null, string? staticRoot = null)
    {
        var config = Defaults;
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
            {
                throw new FileNotFoundException($"Configuration file not found: {configFile}", configFile);
            }

            config = ConfigurationFactory.ParseString(File.ReadAllText(configFile)).WithFallback(config);
        }

        if (!string.IsNullOrWhiteSpace(overrides))
        {
            config = ConfigurationFactory.ParseString(overrides).WithFallback(config);
        }

        var commandLine = new List<string>();
        if (host is not null)
        {
            commandLine.Add($"actorhttp.server.host = \"{host.Replace("\"", string.Empty)}\"");
        }

        if (staticRoot is not null)
        {
            commandLine.Add($"actorhttp.static-files.root = \"{Path.GetFullPath(staticRoot).Replace("\\", "\\\\").Replace("\"", "\\\"")}\"");
        }

        if (port is not null)
        {
            commandLine.Add($"actorhttp.server.port = {port.Value.ToString(CultureInfo.InvariantCulture)}");
        }

        return commandLine.Count == 0 ? config : ConfigurationFactory.ParseString(string.Join('\n', commandLine)).WithFallback(config);
    }

    private static Config LoadDefaults()
    {
        using var stream = typeof(ServerConfiguration).Assembly.GetManifestResourceStream("ActorHttp.actorhttp.conf")
            ?? throw new InvalidOperationException("The embedded defaults (hocon/actorhttp.conf) are missing from the assembly.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
