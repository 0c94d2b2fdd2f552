namespace ActorHttp.Bench;

/// <summary>The highest resident memory a server reaches while this watches (sampled every 250 ms).</summary>
public sealed class ResidentPeak : IAsyncDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);

    private readonly ServerProcess _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private long _peak;

    private ResidentPeak(ServerProcess server)
    {
        _server = server;
        _peak = server.ResidentBytes();
        _sampling = SampleAsync();
    }

    public static ResidentPeak Watch(ServerProcess server) => new(server);

    /// <summary>Stops sampling, and returns the peak including a last sample taken now.</summary>
    public async Task<long> StopAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        return Math.Max(_peak, _server.ResidentBytes());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(Period);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                _peak = Math.Max(_peak, _server.ResidentBytes());
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }
}
