using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using ActorHttp.Bench;

namespace ActorHttp.Study;

/// <summary>
/// Every setting the study ran with, for results.json: the study's own sizes and durations, the
/// effective configuration of ActorHttp (defaults + the study's file, every key), the runtime
/// settings each .NET server was built with (GC mode), nginx's configuration, and the machine.
/// Publishing every knob is the lesson of Pariag et al. (2007): tuning flips threads-versus-events results.
/// </summary>
public static class Knobs
{
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Collect(BenchPaths paths, StudyOptions options)
    {
        var knobs = new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["study"] = Study(options),
            ["actorhttp"] = ActorHttpSettings(StudyServer.ConfigFile(paths)),
            ["actorhttp-runtime"] = RuntimeConfig(Path.ChangeExtension(StudyServer.ServerDll(paths), ".runtimeconfig.json")),
            ["kestrel-runtime"] = RuntimeConfig(Path.Combine(paths.Repository, "bench/peers/Kestrel/bin/Release/net10.0/Kestrel.runtimeconfig.json")),
            ["kestrel"] = new Dictionary<string, string>
            {
                ["program"] = "bench/peers/Kestrel/Program.cs: minimal API, CreateSlimBuilder, logging cleared",
                ["limits"] = "KestrelServerLimits defaults (none set by the peer)",
            },
            ["nginx"] = NginxDirectives(Path.Combine(paths.Repository, "bench/peers/nginx.conf")),
            ["environment"] = Environment.GetEnvironmentVariables().Keys.OfType<string>()
                .Where(name => name.StartsWith("DOTNET_", StringComparison.Ordinal) || name.StartsWith("ACTORHTTP__", StringComparison.Ordinal))
                .Order()
                .ToDictionary(name => name, name => Environment.GetEnvironmentVariable(name) ?? ""),
        };
        return knobs;
    }

    public static Dictionary<string, string> Study(StudyOptions options) => new()
    {
        ["rounds (plaintext, json, pipelined, connections, open-loop, counter)"] = Number(options.Rounds),
        ["rounds (idle-memory, faults)"] = "1",
        ["fresh server per fault and for idle-memory"] = options.FreshServers ? "yes" : "no (quick: one server per model for every scenario)",
        ["wrk"] = $"2 threads, --timeout 5s, study/wrk/study.lua; warm-up {options.WarmupSeconds} s, measured {options.DurationSeconds} s",
        ["connections (plaintext, json, pipelined, counter)"] = Number(options.Connections),
        ["pipelining depth"] = Number(options.PipelineDepth),
        ["connection steps"] = string.Join(", ", options.ConnectionSteps),
        ["idle connections"] = string.Join(", ", options.IdleCounts),
        ["open-loop"] = $"{options.OpenLoopRate} requests/s on /hello for {options.OpenLoopDuration.TotalSeconds:0.#} s, up to {options.OpenLoopMaxConnections} connections, 5 s request timeout, {options.OpenLoopGrace.TotalSeconds:0.#} s grace",
        ["normal clients"] = $"{options.NormalConnections} connections on /hello, a request at a time, new connection every 100 requests, 5 s timeout, 100 ms pause after a failure",
        ["fault clients"] = $"{options.FaultConnections} connections cycling their mix (crash, cpu, blocking); hang: {options.HangConnections} connections on /slow?ms={options.HangMilliseconds}",
        ["fault phases"] = $"baseline {options.FaultBaseline.TotalSeconds:0.##} s, fault {options.FaultWindow.TotalSeconds:0.##} s (slow-client attacks: measured after {options.AttackRamp.TotalSeconds:0.#} s for slowhttptest to open its sockets)",
        ["slowhttptest"] = $"{options.AttackSockets} sockets; -H -i 10 (slowloris), -B -i 10 -s 8192 on /echo (slow-body), -X -k 4 -n 5 -w 1 -y 64 -z 32 on /bench/1m.bin (slow-reader)",
        ["overload"] = $"capacity: wrk closed loop on {options.OverloadPath} with {options.Connections} connections; then open loop at 2x that rate (at least 100/s) on it, up to {options.OpenLoopMaxConnections * 2} connections",
        ["counter"] = $"{options.Connections} connections on /counter for {options.CounterWindow.TotalSeconds:0.#} s",
        ["ports"] = $"{StudyRunner.FirstPort}+ (long-lived), {StudyRunner.FreshPort}+ (fresh), 127.0.0.1 only",
    };

    /// <summary>Every key under <c>actorhttp</c> as the servers resolve it: hocon/actorhttp.conf under the study's file.</summary>
    public static Dictionary<string, string> ActorHttpSettings(string studyConfig)
    {
        var config = ActorHttp.Hosting.ServerConfiguration.Load([studyConfig], environment: new Dictionary<string, string>());
        var settings = new Dictionary<string, string>();
        Flatten(config.GetValue("actorhttp"), "actorhttp", settings);
        return settings;
    }

    public static void Flatten(HoconValue? value, string path, Dictionary<string, string> into)
    {
        if (value is null)
        {
            return;
        }

        if (value.IsObject())
        {
            foreach (var (key, child) in value.GetObject().Items.OrderBy(i => i.Key, StringComparer.Ordinal))
            {
                Flatten(child, $"{path}.{key}", into);
            }
        }
        else if (value.IsArray())
        {
            into[path] = "[" + string.Join(", ", value.GetArray().Select(v => v.IsString() ? v.GetString() : v.ToString())) + "]";
        }
        else
        {
            into[path] = value.IsString() ? value.GetString() : value.ToString();
        }
    }

    /// <summary>The runtime's configProperties a build wrote (System.GC.Server, System.GC.Concurrent, …).</summary>
    public static Dictionary<string, string> RuntimeConfig(string runtimeConfigJson)
    {
        var settings = new Dictionary<string, string>();
        if (!File.Exists(runtimeConfigJson))
        {
            settings["missing"] = runtimeConfigJson;
            return settings;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(runtimeConfigJson));
        if (document.RootElement.TryGetProperty("runtimeOptions", out var runtime))
        {
            if (runtime.TryGetProperty("tfm", out var tfm))
            {
                settings["tfm"] = tfm.ToString();
            }

            if (runtime.TryGetProperty("configProperties", out var properties))
            {
                foreach (var property in properties.EnumerateObject())
                {
                    settings[property.Name] = property.Value.ToString();
                }
            }
        }

        settings["thread pool"] = "the runtime's defaults (min threads = cores, hill-climbing injection)";
        return settings;
    }

    /// <summary>nginx's directives as run (comments dropped), numbered by line.</summary>
    public static Dictionary<string, string> NginxDirectives(string template)
    {
        var lines = File.ReadLines(template)
            .Select(line => line.Split('#')[0].Trim())
            .Where(line => line.Length > 0 && line != "}" && !line.EndsWith('{'))
            .ToList();
        return lines.Select((line, i) => (key: (i + 1).ToString("00", CultureInfo.InvariantCulture), line)).ToDictionary(p => p.key, p => p.line);
    }

    public static Dictionary<string, string> Machine(string? commit)
    {
        var machine = new Dictionary<string, string>
        {
            ["started_utc"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["cores"] = Number(Environment.ProcessorCount),
            ["memory"] = FirstLine("/proc/meminfo"),
            ["cpu"] = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "" : "",
            ["kernel"] = FirstLine("/proc/sys/kernel/osrelease"),
            ["os"] = File.Exists("/etc/os-release") ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"') ?? "" : "",
            ["load_average_at_start"] = FirstLine("/proc/loadavg"),
            [".net"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            ["wrk"] = ToolVersion("wrk", "-v"),
            ["nginx"] = ToolVersion("nginx", "-v"),
            ["slowhttptest"] = ToolVersion("slowhttptest", "-h", line => line.Contains("version", StringComparison.Ordinal)),
            ["shared"] = "the load generators and the server under test share the machine's cores; other sessions may run on it too (see the load average)",
        };
        if (commit is not null)
        {
            machine["commit"] = commit;
        }

        return machine;
    }

    private static string FirstLine(string path) => File.Exists(path) ? File.ReadLines(path).FirstOrDefault()?.Trim() ?? "" : "";

    private static string ToolVersion(string tool, string argument, Func<string, bool>? pick = null)
    {
        try
        {
            var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(argument);
            using var process = Process.Start(start);
            if (process is null)
            {
                return "";
            }

            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit(5000);
            return output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && (pick?.Invoke(l) ?? true)) ?? "";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "not installed";
        }
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
