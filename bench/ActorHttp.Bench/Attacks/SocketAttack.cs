using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ActorHttp.Bench;

/// <summary>An attack the bench runs against one server while the normal clients measure it.</summary>
public interface IAttack : IAsyncDisposable
{
    /// <summary>Puts the attack in place (bounded in time); it then goes on until disposed, and disposing stops it and closes its sockets.</summary>
    Task StartAsync(int port);

    /// <summary>What the attacker saw of the server's reaction.</summary>
    AttackerView Observe();
}

/// <summary>One attack socket, as its attacker saw it.</summary>
public sealed class AttackSocket(string variant)
{
    public string Variant => variant;

    /// <summary>Connected, and the attack's opening bytes sent.</summary>
    public bool Opened { get; set; }

    /// <summary>Seconds from the attack being in place on this socket to the server's first byte; null without an answer.</summary>
    public double? SecondsToAnswer { get; set; }

    /// <summary>The status of the server's answer; null without one (or when it was not a status line).</summary>
    public int? Status { get; set; }

    /// <summary>Seconds from the attack being in place on this socket to the server closing it; null while open.</summary>
    public double? SecondsToClose { get; set; }
}

/// <summary>
/// The shared part of the attacks that hold many sockets: opens them in batches (a burst of
/// thousands of SYNs at once overflows the listen backlog), lets the attack do its part on each,
/// watches each for the server's answer and close, and closes them all when disposed. The sockets
/// are sleepers: one pending receive and, at most, a timer each.
/// </summary>
public abstract class SocketAttack(int sockets, bool watchesAnswers) : IAttack
{
    private const int Batch = 100;

    /// <summary>A socket not connected and set up within this long is counted as not opened.</summary>
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _stop = new();
    private readonly List<(Socket Socket, AttackSocket State)> _sockets = [];
    private readonly List<Task> _holds = [];

    public async Task StartAsync(int port)
    {
        var endpoint = new IPEndPoint(IPAddress.Loopback, port);
        for (var opened = 0; opened < sockets; opened += Batch)
        {
            await Task.WhenAll(Enumerable.Range(opened, Math.Min(Batch, sockets - opened)).Select(index => OpenAsync(endpoint, index)));
        }
    }

    public AttackerView Observe()
    {
        lock (_sockets)
        {
            return AttackerView.FromSockets(sockets, _sockets.Select(s => s.State).ToList(), watchesAnswers);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_holds);
        foreach (var (socket, _) in _sockets)
        {
            socket.Dispose();
        }

        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The label the report groups this socket under (attacks with one kind of socket have one).</summary>
    protected virtual string VariantOf(int index) => "";

    /// <summary>Socket options that must be set before connecting.</summary>
    protected virtual void Configure(Socket socket)
    {
    }

    /// <summary>The attack's opening on a connected socket: once this returns, the attack is in place on it.</summary>
    protected abstract Task BeginAsync(Socket socket, int index, AttackSocket state, CancellationToken token);

    /// <summary>What the attack keeps doing on the socket afterwards, until stopped or closed by the server.</summary>
    protected virtual Task ContinueAsync(Socket socket, AttackSocket state, CancellationToken stop) => Task.CompletedTask;

    private async Task OpenAsync(IPEndPoint endpoint, int index)
    {
        var state = new AttackSocket(VariantOf(index));
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Configure(socket);
        lock (_sockets)
        {
            _sockets.Add((socket, state));
        }

        using var setup = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        setup.CancelAfter(SetupTimeout);
        try
        {
            await socket.ConnectAsync(endpoint, setup.Token);
            await BeginAsync(socket, index, state, setup.Token);
            state.Opened = true;
        }
        catch (Exception error) when (error is OperationCanceledException or SocketException or IOException)
        {
            return;
        }

        if (state.SecondsToClose is null)
        {
            lock (_sockets)
            {
                _holds.Add(HoldAsync(socket, state));
            }
        }
    }

    private async Task HoldAsync(Socket socket, AttackSocket state)
    {
        var inPlace = Stopwatch.GetTimestamp();
        await Task.WhenAll(
            watchesAnswers ? WatchAsync(socket, state, inPlace, _stop.Token) : Task.CompletedTask,
            Quietly(ContinueAsync(socket, state, _stop.Token)));
    }

    /// <summary>Reads (and drops) whatever the server sends, noting when it first answered, with what status, and when it closed.</summary>
    private static async Task WatchAsync(Socket socket, AttackSocket state, long inPlace, CancellationToken stop)
    {
        var buffer = new byte[256];
        var filled = 0;
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, stop);
                if (read == 0)
                {
                    break;
                }

                state.SecondsToAnswer ??= Stopwatch.GetElapsedTime(inPlace).TotalSeconds;
                filled += read;
                state.Status ??= HttpResponseScanner.StatusOfFirstLine(buffer.AsSpan(0, filled));
                if (state.Status is not null || filled == buffer.Length)
                {
                    filled = 0;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return;
        }
        catch (Exception error) when (error is SocketException or IOException)
        {
            // A reset is the server closing too.
        }

        state.SecondsToClose = Stopwatch.GetElapsedTime(inPlace).TotalSeconds;
    }

    /// <summary>The attack's own traffic ends when the server closes the socket or the attack stops; neither is an error here.</summary>
    private static async Task Quietly(Task attacking)
    {
        try
        {
            await attacking;
        }
        catch (Exception error) when (error is OperationCanceledException or SocketException or IOException)
        {
        }
    }
}
