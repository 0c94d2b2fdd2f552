using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace ActorHttp.Tests.Cluster;

/// <summary>
/// Three nodes as separate processes on loopback, sharing the SQLite journal: a cart lives on one
/// node and answers through every node; when its node is killed (SIGKILL) the cluster downs it and
/// the cart answers from another node with every acknowledged item; when its node is stopped
/// (SIGTERM) the node hands its carts over and no request fails. Failure detection and the
/// split-brain resolver's stable-after are short (ClusterNodeProcess.Config), so each test takes seconds.
/// </summary>
[Collection(nameof(ThreeNodeClusterTests))]
public sealed class ThreeNodeClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("actorhttp-3nodes-").FullName;
    private readonly List<ClusterNodeProcess> _nodes = [];

    public async Task InitializeAsync()
    {
        var config = Path.Combine(_dataDirectory, "node.conf");
        await File.WriteAllTextAsync(config, ClusterNodeProcess.Config(_dataDirectory));
        var ports = new[] { ClusterNodeProcess.FreePort(), ClusterNodeProcess.FreePort(), ClusterNodeProcess.FreePort() };
        // The first node is the seed: it forms the cluster, the others join through it.
        foreach (var (name, port) in new[] { "A", "B", "C" }.Zip(ports))
        {
            _nodes.Add(await ClusterNodeProcess.StartAsync(name, config, port, seedPort: ports[0]));
        }

        foreach (var node in _nodes)
        {
            await ClusterTestConfig.WaitUntilCartsAnswerAsync(node.Http);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task A_cart_written_through_one_node_is_read_back_through_the_others()
    {
        var cart = NewCart();

        var added = await Post(_nodes[0], cart, "apple");
        var throughB = await _nodes[1].Http.GetAsync(cart);
        var throughC = await _nodes[2].Http.GetAsync(cart);

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(["apple"], Skus(await throughB.Content.ReadAsStringAsync()));
        Assert.Equal(["apple"], Skus(await throughC.Content.ReadAsStringAsync()));
        // One entity, wherever it is asked for.
        var home = added.Headers.GetValues("X-Cart-Node").Single();
        Assert.Equal(home, throughB.Headers.GetValues("X-Cart-Node").Single());
        Assert.Equal(home, throughC.Headers.GetValues("X-Cart-Node").Single());
    }

    [Fact]
    public async Task Kill9_of_a_carts_node_loses_no_acknowledged_item_and_other_carts_keep_answering()
    {
        var homes = await CreateCartsAsync(12);
        var victim = PickVictim(homes);
        var victimCarts = homes.Where(h => h.Value == victim.CartNode).Select(h => h.Key).ToArray();
        var otherCarts = homes.Keys.Except(victimCarts).ToArray();
        var survivors = _nodes.Where(n => n != victim).ToArray();

        using var traffic = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var acknowledged = new ConcurrentDictionary<string, ConcurrentBag<string>>();
        var writeFailures = 0;
        var otherFailures = 0;
        var writer = Task.Run(async () =>
        {
            for (var n = 0; !traffic.IsCancellationRequested; n++)
            {
                var cart = victimCarts[n % victimCarts.Length];
                var sku = $"w-{n}";
                if (await TryPost(survivors[n % survivors.Length], cart, sku) == HttpStatusCode.Created)
                {
                    acknowledged.GetOrAdd(cart, _ => []).Add(sku);
                }
                else
                {
                    Interlocked.Increment(ref writeFailures);
                }
            }
        });
        var reader = Task.Run(async () =>
        {
            for (var n = 0; !traffic.IsCancellationRequested; n++)
            {
                if (await TryGet(survivors[n % survivors.Length], otherCarts[n % otherCarts.Length]) != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref otherFailures);
                }
            }
        });

        // Some writes are acknowledged by the victim before it dies.
        while (acknowledged.IsEmpty)
        {
            await Task.Delay(50);
        }

        victim.Kill9();
        var sinceKill = Stopwatch.StartNew();
        await victim.Process.WaitForExitAsync();
        var firstSuccess = await FirstSuccessAsync(survivors[0], victimCarts[0], TimeSpan.FromSeconds(60));
        var failoverMs = sinceKill.ElapsedMilliseconds;
        traffic.CancelAfter(TimeSpan.FromSeconds(1));
        await Task.WhenAll(writer, reader);

        foreach (var survivor in survivors)
        {
            Assert.False(survivor.Process.HasExited, $"node {survivor.Name} went down too; its log:\n{survivor.RecentOutput}");
        }

        var lost = 0;
        foreach (var cart in victimCarts)
        {
            var stored = Skus(await survivors[1].Http.GetStringAsync(cart));
            lost += acknowledged.GetValueOrDefault(cart, []).Count(sku => !stored.Contains(sku));
        }

        output.WriteLine($"failover: {failoverMs} ms, acknowledged: {acknowledged.Values.Sum(v => v.Count)}, acknowledged lost: {lost}, failed writes to the lost node's carts: {writeFailures}, failed reads of other carts: {otherFailures}");
        Assert.True(firstSuccess, $"the lost node's cart never answered again; survivor's log:\n{survivors[0].RecentOutput}");
        Assert.Equal(0, lost);
        Assert.Equal(0, otherFailures);
    }

    [Fact]
    public async Task Sigterm_of_a_carts_node_hands_its_carts_over_and_fails_no_request()
    {
        var homes = await CreateCartsAsync(12);
        var leaving = PickVictim(homes);
        var survivors = _nodes.Where(n => n != leaving).ToArray();
        var carts = homes.Keys.ToArray();

        using var traffic = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var acknowledged = new ConcurrentDictionary<string, ConcurrentBag<string>>();
        var failures = new ConcurrentBag<string>();
        var requests = 0;
        var writers = survivors.Select((node, w) => Task.Run(async () =>
        {
            for (var n = 0; !traffic.IsCancellationRequested; n++)
            {
                var cart = carts[n % carts.Length];
                var sku = $"w{w}-{n}";
                Interlocked.Increment(ref requests);
                var status = await TryPost(node, cart, sku);
                if (status == HttpStatusCode.Created)
                {
                    acknowledged.GetOrAdd(cart, _ => []).Add(sku);
                }
                else
                {
                    failures.Add($"POST {cart} via {node.Name}: {status?.ToString() ?? "no answer"}");
                }

                Interlocked.Increment(ref requests);
                var read = await TryGet(node, cart);
                if (read != HttpStatusCode.OK)
                {
                    failures.Add($"GET {cart} via {node.Name}: {read?.ToString() ?? "no answer"}");
                }
            }
        })).ToArray();

        while (acknowledged.IsEmpty)
        {
            await Task.Delay(50);
        }

        leaving.Terminate();
        await leaving.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        traffic.CancelAfter(TimeSpan.FromSeconds(2));
        await Task.WhenAll(writers);

        var lost = 0;
        foreach (var cart in carts)
        {
            var response = await survivors[0].Http.GetAsync(cart);
            Assert.NotEqual(leaving.CartNode, response.Headers.GetValues("X-Cart-Node").Single());
            var stored = Skus(await response.Content.ReadAsStringAsync());
            lost += acknowledged.GetValueOrDefault(cart, []).Count(sku => !stored.Contains(sku));
        }

        output.WriteLine($"requests: {requests}, failed: {failures.Count}, acknowledged lost: {lost}");
        foreach (var failure in failures)
        {
            output.WriteLine(failure);
        }

        Assert.Equal(0, leaving.Process.ExitCode);
        Assert.Empty(failures);
        Assert.Equal(0, lost);
    }

    private static string NewCart() => $"/carts/{Guid.NewGuid():N}";

    /// <summary>Carts with one item each, written through the first node, with the node each lives on.</summary>
    private async Task<Dictionary<string, string>> CreateCartsAsync(int count)
    {
        var homes = new Dictionary<string, string>();
        for (var i = 0; i < count; i++)
        {
            var cart = NewCart();
            var added = await TryPost(_nodes[0], cart, "first");
            Assert.True(added == HttpStatusCode.Created, $"creating a cart through A: {added?.ToString() ?? "no answer"}; A's log:\n{_nodes[0].RecentOutput}");
            homes[cart] = (await _nodes[0].Http.GetAsync(cart)).Headers.GetValues("X-Cart-Node").Single();
        }

        return homes;
    }

    /// <summary>The node other than the seed that hosts the most carts (the seed too if it hosts them all).</summary>
    private ClusterNodeProcess PickVictim(Dictionary<string, string> homes)
    {
        var byNode = homes.Values.GroupBy(node => node).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine("carts per node: " + string.Join(", ", _nodes.Select(n => $"{n.Name} {byNode.GetValueOrDefault(n.CartNode)}")));
        return _nodes.Skip(1).Where(n => byNode.ContainsKey(n.CartNode)).OrderByDescending(n => byNode[n.CartNode]).FirstOrDefault() ?? _nodes[0];
    }

    private static Task<HttpResponseMessage> Post(ClusterNodeProcess node, string cart, string sku) =>
        node.Http.PostAsync(cart, new StringContent($$"""{"sku":"{{sku}}"}""", Encoding.UTF8, "application/json"));

    private static async Task<HttpStatusCode?> TryPost(ClusterNodeProcess node, string cart, string sku)
    {
        try
        {
            using var response = await Post(node, cart, sku);
            return response.StatusCode;
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task<HttpStatusCode?> TryGet(ClusterNodeProcess node, string cart)
    {
        try
        {
            using var response = await node.Http.GetAsync(cart);
            return response.StatusCode;
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task<bool> FirstSuccessAsync(ClusterNodeProcess node, string cart, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < limit)
        {
            if (await TryGet(node, cart) == HttpStatusCode.OK)
            {
                return true;
            }
        }

        return false;
    }

    private static HashSet<string> Skus(string cartJson)
    {
        using var document = JsonDocument.Parse(cartJson);
        return document.RootElement.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("sku").GetString()!).ToHashSet();
    }
}

/// <summary>
/// Three nodes' processes with failure detection measured in seconds: run alone, not beside the
/// other test classes, so a CPU starved by them is not taken for a dead node.
/// </summary>
[CollectionDefinition(nameof(ThreeNodeClusterTests), DisableParallelization = true)]
public sealed class ThreeNodeClusterCollection;
