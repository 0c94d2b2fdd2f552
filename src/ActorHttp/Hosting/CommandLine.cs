using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace ActorHttp.Hosting;

/// <summary>The server's command line: <c>--host H --port P --config FILE --root DIR</c>.</summary>
public sealed record CommandLine(string? Host, int? Port, string? ConfigFile, string? Root, bool ShowHelp)
{
    public const string Usage = """
        Usage: ActorHttp.Server [--host HOST] [--port PORT] [--config FILE] [--root DIR]
          --host HOST    address to listen on (default from actorhttp.server.host: 0.0.0.0)
          --port PORT    TCP port; 0 picks a free one (default from actorhttp.server.port: 8080)
          --config FILE  HOCON file whose keys override the defaults of hocon/actorhttp.conf
          --root DIR     folder of static files (default from actorhttp.static-files.root: the bundled demo site www/)
          --help         this text
        """;

    private static readonly string[] Known = ["host", "port", "config", "root", "help"];

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a message fit for the user.</summary>
    public static CommandLine Parse(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            return new CommandLine(null, null, null, null, ShowHelp: true);
        }

        // AddCommandLine silently drops a trailing option without a value ("--verbose", "--port") and
        // stray words ("8080"), so a typo would start the server on its defaults: refuse those first.
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new ArgumentException($"Unexpected argument \"{arg}\".\n{Usage}");
            }

            var name = arg[2..].Split('=', 2)[0];
            if (!Known.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Unknown option --{name}.\n{Usage}");
            }

            if (!arg.Contains('=') && ++i == args.Length)
            {
                throw new ArgumentException($"--{name} needs a value.\n{Usage}");
            }
        }

        var values = new ConfigurationBuilder().AddCommandLine(args).Build();
        foreach (var entry in values.AsEnumerable())
        {
            if (!Known.Contains(entry.Key, StringComparer.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Unknown option --{entry.Key}.\n{Usage}");
            }
        }

        int? port = null;
        if (values["port"] is { } portText)
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed > 65535)
            {
                throw new ArgumentException($"--port must be a number from 0 to 65535, not \"{portText}\".");
            }

            port = parsed;
        }

        var root = values["root"];
        if (root is not null && !Directory.Exists(root))
        {
            throw new ArgumentException($"--root {root}: no such folder.");
        }

        return new CommandLine(values["host"], port, values["config"], root, ShowHelp: false);
    }
}
