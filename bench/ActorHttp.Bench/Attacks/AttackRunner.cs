namespace ActorHttp.Bench;

/// <summary>
/// Runs every attack against every server, each on a fresh server process so one attack's
/// leftovers (memory, half-closed sockets) never fall on the next: normal clients measure a
/// baseline, then again during the attack; the server's memory is read before, throughout, and
/// a while after; the sockets it still holds are counted at the attack's end.
/// </summary>
public sealed class AttackRunner(BenchPaths paths, AttackOptions options, TextWriter console)
{
    /// <summary>The first server's port; the others follow it (as in the throughput bench).</summary>
    private const int FirstPort = 18080;

    /// <summary>Runs every attack; on cancellation the server under attack is stopped before the exception leaves.</summary>
    public async Task<AttackReport> RunAsync(CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        paths.WriteStaticFiles();
        var attacks = new List<AttackOutcome>();
        foreach (var scenario in AttackScenario.Selected(options))
        {
            console.WriteLine($"== {scenario.Name}");
            var servers = new List<AttackMeasurement>();
            for (var i = 0; i < Peer.UnderAttack.Count; i++)
            {
                var peer = Peer.UnderAttack[i];
                if (scenario.WhyNot(peer) is { } reason)
                {
                    console.WriteLine($"   {peer.Name}: —: {reason}");
                    servers.Add(AttackMeasurement.Skip(peer.Name, reason));
                    continue;
                }

                AttackMeasurement measurement;
                try
                {
                    measurement = await MeasureAsync(scenario, peer, FirstPort + i, cancellationToken);
                }
                catch (Exception error) when (error is InvalidOperationException or TimeoutException or IOException or System.Net.Sockets.SocketException or HttpRequestException)
                {
                    // One server failing to start or to answer must not cost the other servers' figures.
                    measurement = AttackMeasurement.Skip(peer.Name, $"the run failed: {error.Message.Split('\n')[0]}");
                }

                console.WriteLine($"   {peer.Name}: {measurement.Summary()}");
                servers.Add(measurement);
            }

            attacks.Add(new AttackOutcome(scenario.Name, scenario.Description, scenario.CountsHeldSockets, servers));
        }

        // The bench runs with invariant globalization (Directory.Build.props), so these numbers read the same everywhere.
        var setup =
            $"Each server runs with its defaults (ActorHttp: `bench/actorhttp-attacks.conf`, access log off; Kestrel: the peer app as it is; nginx: `bench/peers/nginx-attacks.conf`, access log off, one worker, `worker_connections 10000` like ActorHttp's default `max-connections`, every timeout its default), " +
            $"fresh for each attack, on 127.0.0.1, sharing the machine's {Environment.ProcessorCount} cores with the attacker and the normal clients. " +
            $"Normal clients: {options.NormalConnections} connections per path, each a request at a time, a new connection every 100 requests, 100 ms pause after a failure; " +
            $"a request is a success when answered below 400 within {LoopingClients.RequestTimeout.TotalSeconds:0} s, and refused connections and timeouts count as failed attempts; requests/s counts successes. " +
            $"Each server: {options.Warmup.TotalSeconds:0} s warm-up, {options.Baseline.TotalSeconds:0} s baseline, then the attack's sockets are opened (100 at a time) and held for {options.Hold.TotalSeconds:0} s while the normal clients measure again; " +
            $"attack sockets held at the end are the server side's ESTABLISHED connections on its port (/proc/net/tcp) with the normal clients stopped. " +
            $"RSS (all the server's processes): before the attack, its peak (sampled every 250 ms) until the attack's sockets are closed, and {options.After.TotalSeconds:0} s after" +
            (options.After < AttackOptions.Full.After ? $" (the full run waits {AttackOptions.Full.After.TotalSeconds:0} s; {options.Mode} mode shortens it)." : ".");
        return new AttackReport(started, options.Mode, setup, options.After.TotalSeconds, attacks);
    }

    private async Task<AttackMeasurement> MeasureAsync(AttackScenario scenario, Peer peer, int port, CancellationToken cancellationToken)
    {
        var (file, arguments) = peer.Command(paths, port);
        using var server = await ServerProcess.StartAsync(peer.Name, file, arguments, port, paths.ServerOutput(port), cancellationToken);
        // The phases below are bounded (seconds each); the server is stopped by the using above
        // as soon as the next check sees the cancellation.
        await NormalClientsAsync(scenario, port, options.Warmup);
        cancellationToken.ThrowIfCancellationRequested();
        var before = server.ResidentBytes();
        var baseline = await NormalClientsAsync(scenario, port, options.Baseline);
        cancellationToken.ThrowIfCancellationRequested();

        await using var peak = ResidentPeak.Watch(server);
        IReadOnlyList<LoopResult> during;
        int held;
        var attack = scenario.Create();
        await using (attack)
        {
            await attack.StartAsync(port);
            during = await NormalClientsAsync(scenario, port, options.Hold);
            held = TcpTable.CountEstablished(port);
        }

        var peakBytes = await peak.StopAsync();
        await Task.Delay(options.After, cancellationToken);
        var normal = scenario.NormalPaths.Select((path, i) => new NormalComparison(path, baseline[i], during[i])).ToList();
        return new AttackMeasurement(peer.Name, null, normal, scenario.CountsHeldSockets ? held : null, attack.Observe(), before, peakBytes, server.ResidentBytes(), server.HasExited);
    }

    private async Task<IReadOnlyList<LoopResult>> NormalClientsAsync(AttackScenario scenario, int port, TimeSpan window) =>
        await Task.WhenAll(scenario.NormalPaths.Select(path => LoopingClients.RunAsync(port, path, options.NormalConnections, window)));
}
