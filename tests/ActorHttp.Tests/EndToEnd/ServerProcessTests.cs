using System.Diagnostics;
using System.Net.Http;
using System.Text.RegularExpressions;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.EndToEnd;

/// <summary>
/// The executable as scripts use it: <c>ActorHttp.Server --host H --port 0 --config FILE</c> prints
/// <c>Listening on http://HOST:PORT</c>, serves, and exits cleanly on SIGTERM.
/// </summary>
public sealed partial class ServerProcessTests
{
    private static string ServerDll => Path.Combine(AppContext.BaseDirectory, "ActorHttp.Server.dll");

    [Fact]
    public async Task Prints_the_real_port_serves_and_stops_on_sigterm()
    {
        var config = Path.GetTempFileName();
        await File.WriteAllTextAsync(config, "actorhttp.logging.level = Warning\nactorhttp.limits.max-request-line = 64\n");
        try
        {
            using var process = Start("--host", "127.0.0.1", "--port", "0", "--config", config);
            var port = await ReadListeningPortAsync(process);

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            Assert.Equal("Hello, World!", await http.GetStringAsync("/hello"));
            // The --config file overrides the default 8 KiB request-line limit.
            var longTarget = await http.GetAsync("/echo?" + new string('a', 100));
            Assert.Equal(414, (int)longTarget.StatusCode);

            Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task A_burst_of_connections_on_a_fresh_server_is_served_at_once()
    {
        // A fresh process has a small thread pool: anything that blocks a pool thread per new
        // connection (as Akka's lazily started timer wheel once did) stalls such a burst for seconds.
        using var process = Start("--host", "127.0.0.1", "--port", "0");
        var port = await ReadListeningPortAsync(process);
        try
        {
            var endpoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port);
            var burst = Enumerable.Range(0, 64).Select(async _ =>
            {
                await using var client = await RawHttpClient.ConnectAsync(endpoint);
                await client.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
                return (await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(3))).Status;
            });

            var statuses = await Task.WhenAll(burst);

            Assert.All(statuses, status => Assert.Equal(200, status));
        }
        finally
        {
            process.Kill();
        }
    }

    [Fact]
    public async Task Bad_arguments_fail_with_a_clear_message()
    {
        using var process = Start("--port", "eighty");
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("--port must be a number", error);
    }

    [Fact]
    public async Task A_missing_config_file_fails_with_a_clear_message()
    {
        using var process = Start("--port", "0", "--config", "/nonexistent/actorhttp.conf");
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(1, process.ExitCode);
        Assert.Contains("Configuration file not found", error);
    }

    [Fact]
    public async Task A_port_in_use_fails_with_one_clear_line()
    {
        using var occupant = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((System.Net.IPEndPoint)occupant.LocalEndpoint).Port;

        using var process = Start("--host", "127.0.0.1", "--port", port.ToString());
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(1, process.ExitCode);
        Assert.Equal($"ActorHttp could not start: Address already in use", error.Trim());
    }

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ServerDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start the server");
    }

    private static async Task<int> ReadListeningPortAsync(Process process)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
        {
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                return int.Parse(match.Groups[1].Value);
            }
        }

        throw new InvalidOperationException("The server exited without printing its Listening line.");
    }

    [GeneratedRegex(@"^Listening on http://127\.0\.0\.1:(\d+)$")]
    private static partial Regex ListeningLine();
}
