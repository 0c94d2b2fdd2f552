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

    [Theory]
    [InlineData("threads")]
    [InlineData("pool")]
    [InlineData("eventloop")]
    [InlineData("tasks")]
    public async Task Every_other_model_prints_the_port_serves_and_stops_on_sigterm(string model)
    {
        var config = await WriteConfigAsync("actorhttp.logging.level = Warning\n");
        try
        {
            using var process = Start("--host", "127.0.0.1", "--port", "0", "--model", model, "--no-demo", "--config", config);
            var port = await ReadListeningPortAsync(process);
            var endpoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port);
            await using var idle = await RawHttpClient.ConnectAsync(endpoint);
            await idle.SendAsync("GET /nothing-here HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.Equal(404, (await idle.ReadResponseAsync()).Status);

            Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();

            // The idle keep-alive connection is closed by the drain; the process exits cleanly.
            Assert.True(await idle.IsClosedByServerAsync(TimeSpan.FromSeconds(10)));
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

    [Fact]
    public async Task A_syntax_error_in_a_config_file_fails_with_one_line_naming_file_and_line()
    {
        var config = await WriteConfigAsync("actorhttp.server {\n  idle-timeout = 5s\n  port = \n}\n");
        try
        {
            var (exitCode, error) = await RunToExitAsync(NoVariables, "--port", "0", "--config", config);

            Assert.Equal(1, exitCode);
            Assert.Equal($"ActorHttp could not start: {config}:3: a key has no value after '='", error.Trim());
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task A_bad_value_in_the_environment_fails_with_one_line_naming_the_variable()
    {
        var (exitCode, error) = await RunToExitAsync(new() { ["ACTORHTTP__SERVER__IDLE_TIMEOUT"] = "soon" }, "--port", "0");

        Assert.Equal(1, exitCode);
        Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("ActorHttp could not start: actorhttp.server.idle-timeout has an invalid value", error);
        Assert.EndsWith("(set by environment variable ACTORHTTP__SERVER__IDLE_TIMEOUT)", error.Trim());
    }

    [Fact]
    public async Task An_unresolvable_required_substitution_fails_with_one_line()
    {
        var config = await WriteConfigAsync("actorhttp.server.port = ${ACTORHTTP_TEST_UNSET_PORT}\n");
        try
        {
            var (exitCode, error) = await RunToExitAsync(NoVariables, "--config", config);

            Assert.Equal(1, exitCode);
            Assert.Equal($"ActorHttp could not start: {config}:1: ${{ACTORHTTP_TEST_UNSET_PORT}} is neither an environment variable nor a key of this file (write ${{?ACTORHTTP_TEST_UNSET_PORT}} to make it optional)", error.Trim());
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task Optional_substitutions_and_actorhttp_variables_come_from_the_environment()
    {
        var config = await WriteConfigAsync("actorhttp.logging.level = Warning\nactorhttp.server.host = ${?ACTORHTTP_TEST_BIND}\n");
        try
        {
            using var process = Start(
                new Dictionary<string, string> { ["ACTORHTTP_TEST_BIND"] = "127.0.0.1", ["ACTORHTTP__LIMITS__MAX_REQUEST_LINE"] = "64" },
                "--port", "0", "--config", config);
            try
            {
                // The Listening line only matches 127.0.0.1: the host came from ${?ACTORHTTP_TEST_BIND}.
                var port = await ReadListeningPortAsync(process);

                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
                Assert.Equal(414, (int)(await http.GetAsync("/echo?" + new string('a', 100))).StatusCode);
            }
            finally
            {
                process.Kill();
            }
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task An_unset_optional_substitution_leaves_the_value_of_the_file_before()
    {
        var lower = await WriteConfigAsync("actorhttp.logging.level = Warning\nactorhttp.server.port = 0\nactorhttp.server.host = \"127.0.0.1\"\n");
        var upper = await WriteConfigAsync("actorhttp.server.port = ${?ACTORHTTP_TEST_UNSET_PORT}\n");
        try
        {
            using var process = Start(NoVariables, "--config", lower, "--config", upper);
            try
            {
                // A free port, as the first file says; the unset variable left it alone.
                Assert.NotEqual(0, await ReadListeningPortAsync(process));
            }
            finally
            {
                process.Kill();
            }
        }
        finally
        {
            File.Delete(lower);
            File.Delete(upper);
        }
    }

    [Fact]
    public async Task No_demo_serves_only_configured_routes()
    {
        var config = await WriteConfigAsync("actorhttp.logging.level = Warning\nactorhttp.redirects = [ { from = \"/old\", to = \"/new\" } ]\n");
        try
        {
            using var process = Start("--host", "127.0.0.1", "--port", "0", "--no-demo", "--config", config);
            try
            {
                var port = await ReadListeningPortAsync(process);
                using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

                Assert.Equal(301, (int)(await http.GetAsync("/old")).StatusCode);
                foreach (var path in new[] { "/", "/hello", "/echo", "/crash", "/private/" })
                {
                    Assert.Equal(404, (int)(await http.GetAsync(path)).StatusCode);
                }
            }
            finally
            {
                process.Kill();
            }
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task No_demo_with_a_root_serves_that_folder_and_nothing_of_the_demo()
    {
        var root = Directory.CreateTempSubdirectory("actorhttp-site-");
        var config = await WriteConfigAsync("actorhttp.logging.level = Warning\n");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(root.FullName, "page.txt"), "a plain site");
            using var process = Start("--host", "127.0.0.1", "--port", "0", "--config", config, "--root", root.FullName, "--no-demo");
            try
            {
                var port = await ReadListeningPortAsync(process);
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

                Assert.Equal("a plain site", await http.GetStringAsync("/page.txt"));
                foreach (var path in new[] { "/hello", "/echo", "/crash", "/private/" })
                {
                    Assert.Equal(404, (int)(await http.GetAsync(path)).StatusCode);
                }
            }
            finally
            {
                process.Kill();
            }
        }
        finally
        {
            File.Delete(config);
            root.Delete(recursive: true);
        }
    }

    private static Dictionary<string, string> NoVariables => [];

    private static async Task<string> WriteConfigAsync(string hocon)
    {
        var file = Path.Combine(Path.GetTempPath(), $"actorhttp-process-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(file, hocon);
        return file;
    }

    private static async Task<(int ExitCode, string Error)> RunToExitAsync(Dictionary<string, string> variables, params string[] args)
    {
        using var process = Start(variables, args);
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        return (process.ExitCode, error);
    }

    private static Process Start(params string[] args) => Start(NoVariables, args);

    private static Process Start(Dictionary<string, string> variables, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

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
