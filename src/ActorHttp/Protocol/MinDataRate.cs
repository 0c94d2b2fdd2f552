namespace ActorHttp.Protocol;

/// <summary>
/// A minimum data rate with a grace period (Kestrel's <c>MinDataRate</c>): a transfer that has been
/// under way for longer than <see cref="Grace"/> must have moved at least <see cref="BytesPerSecond"/>
/// for every second it has been under way. <see cref="Off"/> (a rate of 0) never trips.
/// </summary>
public sealed record MinDataRate(double BytesPerSecond, TimeSpan Grace)
{
    public static readonly MinDataRate Off = new(0, TimeSpan.Zero);

    public bool Enabled => BytesPerSecond > 0;
}

/// <summary>
/// Measures one transfer against a <see cref="MinDataRate"/>, counting only the time it runs: a
/// request body's clock stops while its handler is not asking for data, so a slow handler never
/// counts against the client. Knows no clock: every call takes the caller's timestamp (in
/// <paramref name="ticksPerSecond"/> units, e.g. <c>Stopwatch</c> ticks).
/// </summary>
public sealed class DataRateMeter(MinDataRate rate, long ticksPerSecond)
{
    private readonly long _graceTicks = (long)(rate.Grace.TotalSeconds * ticksPerSecond);
    private long _elapsedTicks;
    private long _runningSince;
    private long _bytes;

    /// <summary>The meter has been started for the current transfer and not reset since.</summary>
    public bool Started { get; private set; }

    public bool Running => _runningSince != 0;

    /// <summary>A new transfer begins, with its clock stopped until <see cref="Run"/>.</summary>
    public void Start()
    {
        Started = true;
        _elapsedTicks = 0;
        _runningSince = 0;
        _bytes = 0;
    }

    /// <summary>No transfer is being measured.</summary>
    public void Reset()
    {
        Started = false;
        _runningSince = 0;
    }

    /// <summary>Starts or stops the clock: only the time the transfer is up to the peer counts.</summary>
    public void Run(bool running, long now)
    {
        if (running == Running)
        {
            return;
        }

        if (running)
        {
            _runningSince = now;
        }
        else
        {
            _elapsedTicks += now - _runningSince;
            _runningSince = 0;
        }
    }

    /// <summary>Bytes the peer moved.</summary>
    public void Add(long bytes) => _bytes += bytes;

    /// <summary>Sets the bytes moved so far, for a transfer whose progress is read from elsewhere (the kernel's count).</summary>
    public void SetProgress(long bytes) => _bytes = bytes;

    /// <summary>Past the grace period, and fewer bytes moved than the rate asks for the time counted.</summary>
    public bool IsTooSlow(long now)
    {
        if (!rate.Enabled || !Started)
        {
            return false;
        }

        var elapsed = Elapsed(now);
        return elapsed > _graceTicks && _bytes < rate.BytesPerSecond * elapsed / ticksPerSecond;
    }

    /// <summary>
    /// The earliest timestamp at which <see cref="IsTooSlow"/> could become true if no more bytes
    /// moved, or <see cref="long.MaxValue"/> while the clock is stopped (or the rate is off).
    /// </summary>
    public long DueAt(long now)
    {
        if (!rate.Enabled || !Running)
        {
            return long.MaxValue;
        }

        // The clock must pass both the grace and the time the bytes moved so far pay for.
        var paidFor = (long)(_bytes / rate.BytesPerSecond * ticksPerSecond);
        var needed = Math.Max(_graceTicks, paidFor) + 1;
        return now + Math.Max(0, needed - Elapsed(now));
    }

    private long Elapsed(long now) => _elapsedTicks + (Running ? now - _runningSince : 0);
}
