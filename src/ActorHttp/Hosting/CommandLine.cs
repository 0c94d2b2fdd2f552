using System.Globalization;

namespace ActorHttp.Hosting;

/// <summary>The server's command line: <c>--host H --port P --config FILE… --root DIR --model M --no-demo</c>.</summary>
public sealed record CommandLine
{
    public const string Usage = """
        Usage: ActorHttp.Server [--host HOST] [--port PORT] [--config FILE]... [--root DIR] [--model MODEL] [--no-demo]
          --host HOST    address to listen on (default from actorhttp.server.host: 0.0.0.0)
          --port PORT    TCP port; 0 picks a free one (default from actorhttp.server.port: 8080)
          --config FILE  HOCON file whose keys override the defaults of hocon/actorhttp.conf; may be
                         given several times, each file overriding the ones before it
          --root DIR     folder of static files served at / (default from
                         actorhttp.static-files.root: the bundled demo site www/)
          --model MODEL  how connections and handlers are scheduled: actors, threads, pool,
                         eventloop or tasks (default from actorhttp.server.model: actors)
          --no-demo      serve only the configured routes (redirects, proxy routes) and the --root
                         folder if one is given, not the demo: any other path answers 404
          --help         this text
        Settings also come from environment variables: ACTORHTTP__SERVER__MAX_CONNECTIONS=500 sets
        actorhttp.server.max-connections, over the --config files and under --host/--port/--root/--model.
        """;

    private static readonly string[] WithValue = ["host", "port", "config", "root", "model"];
    private static readonly string[] Switches = ["no-demo"];

    public string? Host { get; init; }
    public int? Port { get; init; }
    public IReadOnlyList<string> ConfigFiles { get; init; } = [];
    public string? Root { get; init; }

    /// <summary>The concurrency model's name as given (<c>--model</c>), checked to be one.</summary>
    public string? Model { get; init; }

    /// <summary>Whether the demo routes are served (all but <c>--no-demo</c>).</summary>
    public bool Demo { get; init; } = true;
    public bool ShowHelp { get; init; }

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a message fit for the user.</summary>
    public static CommandLine Parse(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            return new CommandLine { ShowHelp = true };
        }

        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var configFiles = new List<string>();
        var demo = true;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new ArgumentException($"Unexpected argument \"{arg}\".\n{Usage}");
            }

            var parts = arg[2..].Split('=', 2);
            var name = parts[0].ToLowerInvariant();
            if (Switches.Contains(name))
            {
                if (parts.Length == 2)
                {
                    throw new ArgumentException($"--{name} takes no value.\n{Usage}");
                }

                demo = false;
                continue;
            }

            if (!WithValue.Contains(name))
            {
                throw new ArgumentException($"Unknown option --{name}.\n{Usage}");
            }

            string value;
            if (parts.Length == 2)
            {
                value = parts[1];
            }
            else if (++i < args.Length)
            {
                value = args[i];
            }
            else
            {
                throw new ArgumentException($"--{name} needs a value.\n{Usage}");
            }

            if (name == "config")
            {
                configFiles.Add(value);
            }
            else
            {
                values[name] = value;
            }
        }

        int? port = null;
        if (values.TryGetValue("port", out var portText))
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed > 65535)
            {
                throw new ArgumentException($"--port must be a number from 0 to 65535, not \"{portText}\".");
            }

            port = parsed;
        }

        var root = values.GetValueOrDefault("root");
        if (root is not null && !Directory.Exists(root))
        {
            throw new ArgumentException($"--root {root}: no such folder.");
        }

        var model = values.GetValueOrDefault("model");
        if (model is not null && !ActorHttp.Models.ModelSettings.TryParseModel(model, out _))
        {
            throw new ArgumentException($"--model must be {ActorHttp.Models.ModelSettings.ModelNames}, not \"{model}\".");
        }

        return new CommandLine
        {
            Host = values.GetValueOrDefault("host"),
            Port = port,
            ConfigFiles = configFiles,
            Root = root,
            Model = model,
            Demo = demo,
        };
    }
}
