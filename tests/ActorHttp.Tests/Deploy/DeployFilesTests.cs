using System.Diagnostics;
using System.Text.RegularExpressions;
using ActorHttp.Actors;
using ActorHttp.Hosting;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Deploy;

/// <summary>deploy/: the systemd unit and the Dockerfile agree with the server's own shutdown and paths.</summary>
public sealed partial class DeployFilesTests
{
    /// <summary>What the host adds to shutdown-timeout before it gives up (ActorHttpServer's HostOptions.ShutdownTimeout).</summary>
    private static readonly TimeSpan HostMargin = TimeSpan.FromSeconds(5);

    private static readonly string UnitFile = Path.Combine(SharedData.RepositoryRoot, "deploy", "actorhttp.service");
    private static readonly string Dockerfile = Path.Combine(SharedData.RepositoryRoot, "deploy", "Dockerfile");

    private static TimeSpan DefaultShutdownTimeout => ServerSettings.FromConfig(ServerConfiguration.Load(environment: new Dictionary<string, string>())).ShutdownTimeout;

    [Fact]
    public void The_unit_stops_with_SIGTERM_and_waits_longer_than_the_drain()
    {
        var unit = UnitSettings();

        Assert.Equal("SIGTERM", unit["KillSignal"].Single());
        var stop = TimeSpan.FromSeconds(int.Parse(unit["TimeoutStopSec"].Single().TrimEnd('s')));
        Assert.True(stop > DefaultShutdownTimeout + HostMargin, $"TimeoutStopSec {stop} must exceed shutdown-timeout {DefaultShutdownTimeout} + {HostMargin}");
    }

    [Theory]
    [InlineData("NoNewPrivileges", "yes")]
    [InlineData("ProtectSystem", "strict")]
    [InlineData("ProtectHome", "yes")]
    [InlineData("PrivateTmp", "yes")]
    [InlineData("DynamicUser", "yes")]
    [InlineData("ReadWritePaths", "/var/lib/actorhttp")]
    [InlineData("CapabilityBoundingSet", "")]
    public void The_unit_is_hardened(string key, string value)
    {
        Assert.Contains(value, UnitSettings()[key]);
    }

    [Fact]
    public void The_unit_sends_uploads_where_it_may_write()
    {
        var unit = UnitSettings();

        Assert.Contains("ACTORHTTP__UPLOADS__FOLDER=/var/lib/actorhttp/uploads", unit["Environment"]);
        Assert.StartsWith("/var/lib/actorhttp", unit["ReadWritePaths"].Single());
    }

    [Fact]
    public async Task Systemd_finds_nothing_wrong_with_the_unit_where_it_is_installed()
    {
        if (!File.Exists("/usr/bin/systemd-analyze"))
        {
            // Without systemd the unit's content is still checked by the tests above.
            Assert.True(UnitSettings().ContainsKey("ExecStart"));
            return;
        }

        // verify checks that ExecStart's program exists: the tool is not installed here, so any real executable stands in.
        var folder = Directory.CreateTempSubdirectory("actorhttp-unit-");
        try
        {
            var copy = Path.Combine(folder.FullName, "actorhttp.service");
            File.WriteAllText(copy, File.ReadAllText(UnitFile).Replace("/opt/actorhttp/actorhttp", Environment.ProcessPath));
            using var verify = Process.Start(new ProcessStartInfo("/usr/bin/systemd-analyze", ["verify", copy])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var errors = verify.StandardError.ReadToEndAsync(deadline.Token);
            var output = await verify.StandardOutput.ReadToEndAsync(deadline.Token);
            await verify.WaitForExitAsync(deadline.Token);
            var said = await errors + output;
            // It also reports other units of the machine; only lines about ours count.
            var complaints = said.Split('\n').Where(line => line.Contains("actorhttp.service", StringComparison.Ordinal)).ToList();
            Assert.True(verify.ExitCode == 0 && complaints.Count == 0, $"systemd-analyze verify: {said}");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_dockerfile_copies_paths_that_exist_and_stops_gracefully_as_a_plain_user()
    {
        var text = File.ReadAllText(Dockerfile);
        var copied = CopyLine().Matches(text).SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();

        Assert.NotEmpty(copied);
        Assert.All(copied, path => Assert.True(
            File.Exists(Path.Combine(SharedData.RepositoryRoot, path)) || Directory.Exists(Path.Combine(SharedData.RepositoryRoot, path)),
            $"the Dockerfile copies {path}, which is not in the repository"));
        Assert.Contains("STOPSIGNAL SIGTERM", text);
        Assert.Contains("USER $APP_UID", text);
        var stopTimeout = int.Parse(StopTimeout().Match(text).Groups[1].Value);
        Assert.True(TimeSpan.FromSeconds(stopTimeout) > DefaultShutdownTimeout + HostMargin);
    }

    private static Dictionary<string, List<string>> UnitSettings()
    {
        var settings = new Dictionary<string, List<string>>();
        foreach (var line in File.ReadLines(UnitFile).Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] != '#' && l[0] != '[' && l.Contains('=')))
        {
            var equals = line.IndexOf('=');
            var key = line[..equals];
            if (!settings.TryGetValue(key, out var values))
            {
                settings[key] = values = [];
            }

            values.Add(line[(equals + 1)..]);
        }

        return settings;
    }

    // COPY <sources...> <destination>, not the COPY --from=stage of the final image.
    [GeneratedRegex(@"^COPY (?!--)(.+) \S+$", RegexOptions.Multiline)]
    private static partial Regex CopyLine();

    [GeneratedRegex(@"--stop-timeout (\d+)")]
    private static partial Regex StopTimeout();
}
