using System.Diagnostics;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Cluster;

/// <summary>
/// A throwaway PostgreSQL started by the project's own <c>scripts/postgres-start</c> (root and
/// Debian's postgresql, from <c>scripts/install-test-deps</c>), stopped at the end. Where it cannot
/// start, <see cref="Unavailable"/> says why and the PostgreSQL tests skip with that reason.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private string? _port;

    public string? ConnectionString { get; private set; }

    public string? Unavailable { get; private set; }

    public async Task InitializeAsync()
    {
        if (!Directory.Exists("/usr/lib/postgresql"))
        {
            Unavailable = "PostgreSQL is not installed (scripts/install-test-deps installs it, as root)";
            return;
        }

        if (Environment.UserName != "root")
        {
            Unavailable = "scripts/postgres-start runs PostgreSQL as the postgres user and needs root";
            return;
        }

        var port = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (exitCode, output, error) = await RunAsync(Path.Combine(SharedData.RepositoryRoot, "scripts", "postgres-start"), port);
        if (exitCode != 0)
        {
            // Installed and run as root, yet it failed: that is a broken setup, not an absent one.
            throw new InvalidOperationException($"scripts/postgres-start failed ({exitCode}): {error}");
        }

        _port = port;
        ConnectionString = output.Trim();
    }

    public async Task DisposeAsync()
    {
        if (_port is not null)
        {
            await RunAsync(Path.Combine(SharedData.RepositoryRoot, "scripts", "postgres-stop"), _port);
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string script, string argument)
    {
        using var process = Process.Start(new ProcessStartInfo(script, [argument]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output, await error);
    }
}
