using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Configuration;

namespace ActorHttp.Hosting;

/// <summary>
/// Builds the configuration in layers, each overriding the one below: the defaults of
/// <c>hocon/actorhttp.conf</c> (embedded), each <c>--config</c> file in order, code overrides,
/// <c>ACTORHTTP__…</c> environment variables, then <c>--host</c>/<c>--port</c>/<c>--root</c>/<c>--model</c>.
/// </summary>
public static partial class ServerConfiguration
{
    /// <summary>Only variables starting with this (in any case) are read as settings.</summary>
    public const string EnvironmentPrefix = "ACTORHTTP__";

    public static Config Defaults { get; } = LoadDefaults();

    /// <param name="environment">The environment variables, for <c>${NAME}</c> in files and the <c>ACTORHTTP__</c> layer; null for the process's own.</param>
    /// <param name="model">The concurrency model (<c>--model</c>), over <c>actorhttp.server.model</c>.</param>
    public static Config Load(
        IReadOnlyList<string>? configFiles = null,
        string? overrides = null,
        string? host = null,
        int? port = null,
        string? staticRoot = null,
        IReadOnlyDictionary<string, string>? environment = null,
        string? model = null)
    {
        environment ??= ProcessEnvironment();
        var config = Defaults;
        foreach (var configFile in configFiles ?? [])
        {
            if (!File.Exists(configFile))
            {
                throw new FileNotFoundException($"Configuration file not found: {configFile}", configFile);
            }

            config = HoconText.Parse(File.ReadAllText(configFile), configFile, environment).WithFallback(config);
        }

        if (!string.IsNullOrWhiteSpace(overrides))
        {
            config = HoconText.Parse(overrides, "code overrides", environment).WithFallback(config);
        }

        foreach (var (path, variable, value) in EnvironmentSettings(environment))
        {
            config = ParseEnvironmentSetting(path, variable, value).WithFallback(config);
        }

        var commandLine = new List<string>();
        if (host is not null)
        {
            commandLine.Add($"actorhttp.server.host = {HoconText.Quote(host)}");
        }

        if (staticRoot is not null)
        {
            commandLine.Add($"actorhttp.static-files.root = {HoconText.Quote(Path.GetFullPath(staticRoot))}");
        }

        if (port is not null)
        {
            commandLine.Add($"actorhttp.server.port = {port.Value.ToString(CultureInfo.InvariantCulture)}");
        }

        if (model is not null)
        {
            commandLine.Add($"actorhttp.server.model = {HoconText.Quote(model)}");
        }

        return commandLine.Count == 0 ? config : ConfigurationFactory.ParseString(string.Join('\n', commandLine)).WithFallback(config);
    }

    /// <summary>
    /// The settings the <c>ACTORHTTP__</c> variables make, as (key, variable, value), in the order
    /// they apply. <c>ACTORHTTP__SERVER__MAX_CONNECTIONS</c> → <c>actorhttp.server.max-connections</c>:
    /// <c>__</c> separates path segments, a single <c>_</c> stands for <c>-</c> (shells refuse <c>-</c>
    /// in a name; a literal <c>-</c> is accepted where the platform allows), case does not matter.
    /// </summary>
    public static IReadOnlyList<(string Path, string Variable, string Value)> EnvironmentSettings(IReadOnlyDictionary<string, string> environment)
    {
        var settings = new List<(string Path, string Variable, string Value)>();
        foreach (var (variable, value) in environment)
        {
            if (!variable.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var segments = variable.Split("__");
            if (segments.Length < 2 || segments.Skip(1).Any(segment => !EnvironmentSegment().IsMatch(segment)))
            {
                throw new ConfigurationException($"environment variable {variable}: not a setting name (ACTORHTTP__SECTION__KEY: letters, digits and single _ between double __)");
            }

            var path = string.Join('.', segments.Select(segment => segment.Replace('_', '-').ToLowerInvariant()));
            settings.Add((path, variable, value));
        }

        // Two spellings of one key (ACTORHTTP__SERVER__PORT and actorhttp__server__port) are refused
        // rather than letting the environment's order pick one.
        var duplicate = settings.GroupBy(s => s.Path).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ConfigurationException($"environment variables {string.Join(" and ", duplicate.Select(s => s.Variable).Order(StringComparer.Ordinal))} both set {duplicate.Key}");
        }

        return [.. settings.OrderBy(s => s.Path, StringComparer.Ordinal)];
    }

    /// <summary>
    /// When <paramref name="message"/> (a configuration error) is about a key an <c>ACTORHTTP__</c>
    /// variable sets, the same message naming the variable; otherwise the message as it is.
    /// </summary>
    public static string NameTheVariable(string message, IReadOnlyDictionary<string, string>? environment)
    {
        var culprit = EnvironmentSettings(environment ?? ProcessEnvironment())
            .Where(setting => message.Contains(setting.Path, StringComparison.Ordinal))
            .OrderByDescending(setting => setting.Path.Length)
            .FirstOrDefault();
        return culprit.Variable is null || message.Contains(culprit.Variable, StringComparison.Ordinal)
            ? message
            : $"{message} (set by environment variable {culprit.Variable})";
    }

    public static IReadOnlyDictionary<string, string> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? string.Empty);

    /// <summary>
    /// A value starting with <c>[</c>, <c>{</c> or <c>"</c> is HOCON (a list, an object, a quoted
    /// string); anything else is taken as a string as it stands (durations, sizes, numbers and
    /// booleans are read from strings), so a URL's <c>//</c> is not taken for a comment.
    /// </summary>
    private static Config ParseEnvironmentSetting(string path, string variable, string value)
    {
        var hocon = value.TrimStart() is ['[' or '{' or '"', ..] ? value : HoconText.Quote(value);
        return HoconText.Parse($"{path} = {hocon}", $"environment variable {variable}", new Dictionary<string, string>(), numberLines: false);
    }

    private static Config LoadDefaults()
    {
        using var stream = typeof(ServerConfiguration).Assembly.GetManifestResourceStream("ActorHttp.actorhttp.conf")
            ?? throw new InvalidOperationException("The embedded defaults (hocon/actorhttp.conf) are missing from the assembly.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]*$")]
    private static partial Regex EnvironmentSegment();
}
