using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http;
using System.Text.RegularExpressions;
using ActorHttp.Hosting;

namespace ActorHttp.Tests.Cluster;

/// <summary>
/// One cluster node as its own process: the built ActorHttp.Server with a config file and
/// <c>ACTORHTTP__CLUSTER__…</c> variables, HTTP on a port of the OS's choosing, remoting on a fixed
/// port picked free at run time (the other nodes must know it). Killed when disposed, whatever happened.
/// </summary>
public sealed partial class ClusterNodeProcess : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _output = new();

    private ClusterNodeProcess(string name, Process process, int remotingPort)
    {
        Name = name;
        Process = process;
        RemotingPort = remotingPort;
    }

    public string Name { get; }

    public Process Process { get; }

    public int RemotingPort { get; }

    public int HttpPort { get; private set; }

    /// <summary>The address carts name in <c>X-Cart-Node</c> when they live on this node.</summary>
    public string CartNode => $"127.0.0.1:{RemotingPort}";

    public HttpClient Http { get; private set; } = null!;

    /// <summary>The settings every test node shares: quick failure detection and decisions, a shared journal.</summary>
    public static string Config(string dataDirectory) => $$"""
        actorhttp.logging.level = Warning
        actorhttp.server.handler-timeout = 5s
        actorhttp.server.shutdown-timeout = 5s
        actorhttp.cluster {
          enabled = on
          hostname = "127.0.0.1"
          split-brain-resolver.stable-after = 2s
          # Short enough for a test of seconds, long enough that a node busy on a loaded 2-core
          # machine is not taken for dead.
          failure-detector {
            heartbeat-interval = 500ms
            acceptable-heartbeat-pause = 4s
          }
        }
        actorhttp.persistence.data-dir = {{HoconText.Quote(dataDirectory)}}
        """;

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<ClusterNodeProcess> StartAsync(string name, string configFile, int remotingPort, int seedPort)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ACTORHTTP__CLUSTER__PORT"] = remotingPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["ACTORHTTP__CLUSTER__SEED_NODES"] = $"[\"akka.tcp://actorhttp@127.0.0.1:{seedPort}\"]";
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "ActorHttp.Server.dll"), "--host", "127.0.0.1", "--port", "0", "--config", configFile])
        {
            start.ArgumentList.Add(arg);
        }

        var node = new ClusterNodeProcess(name, Process.Start(start) ?? throw new InvalidOperationException("could not start a node"), remotingPort);
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (await node.Process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                node.Keep(line);
                if (ListeningLine().Match(line) is { Success: true } match)
                {
                    node.HttpPort = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                    break;
                }
            }

            if (node.HttpPort == 0)
            {
                throw new InvalidOperationException($"node {name} exited before listening: {node.RecentOutput}");
            }

            // Keep reading both streams, or a full pipe would block the node's logging.
            _ = node.DrainAsync(node.Process.StandardOutput);
            _ = node.DrainAsync(node.Process.StandardError);
            node.Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{node.HttpPort}"), Timeout = TimeSpan.FromSeconds(15) };
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>The node's last lines of output, for a failing test's message.</summary>
    public string RecentOutput => string.Join('\n', _output);

    /// <summary>SIGKILL: the node vanishes without leaving the cluster.</summary>
    public void Kill9() => Process.Kill();

    /// <summary>SIGTERM: the node drains, hands its shards over and leaves the cluster.</summary>
    public void Terminate() => Process.Start("kill", ["-TERM", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }

        Process.Dispose();
    }

    private async Task DrainAsync(StreamReader reader)
    {
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                Keep(line);
            }
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The process is gone.
        }
    }

    private void Keep(string line)
    {
        _output.Enqueue(line);
        while (_output.Count > 100 && _output.TryDequeue(out _))
        {
        }
    }

    [GeneratedRegex(@"^Listening on http://127\.0\.0\.1:(\d+)$")]
    private static partial Regex ListeningLine();
}
