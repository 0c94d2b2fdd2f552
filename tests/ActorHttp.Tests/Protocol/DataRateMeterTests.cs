using ActorHttp.Protocol;

namespace ActorHttp.Tests.Protocol;

/// <summary>The minimum-rate arithmetic, on a fake clock of one tick per millisecond.</summary>
public sealed class DataRateMeterTests
{
    private const long TicksPerSecond = 1000;
    private static readonly MinDataRate Rate = new(240, TimeSpan.FromSeconds(5));

    [Fact]
    public void Nothing_trips_within_the_grace_period()
    {
        var meter = Running(at: 1);

        Assert.False(meter.IsTooSlow(1 + 5000));
        Assert.True(meter.IsTooSlow(1 + 5001));
    }

    [Fact]
    public void Bytes_pay_for_time_at_the_rate()
    {
        var meter = Running(at: 1);
        meter.Add(240 * 10);

        Assert.False(meter.IsTooSlow(1 + 10_000));
        Assert.True(meter.IsTooSlow(1 + 10_001));
        Assert.Equal(1 + 10_001, meter.DueAt(1 + 6000));
    }

    [Fact]
    public void Time_while_the_clock_is_stopped_does_not_count()
    {
        var meter = Running(at: 1);
        meter.Run(false, 1 + 4000);

        // Stopped for an hour: the handler was not asking for the body.
        Assert.False(meter.IsTooSlow(1 + 3_604_000));
        Assert.Equal(long.MaxValue, meter.DueAt(1 + 3_604_000));
        meter.Run(true, 1 + 3_604_000);
        Assert.False(meter.IsTooSlow(1 + 3_605_000));
        Assert.True(meter.IsTooSlow(1 + 3_605_001));
    }

    [Fact]
    public void Due_is_the_end_of_the_grace_when_nothing_moved()
    {
        var meter = Running(at: 100);

        Assert.Equal(100 + 5001, meter.DueAt(200));
    }

    [Fact]
    public void Progress_read_from_elsewhere_replaces_the_count()
    {
        var meter = Running(at: 1);
        meter.SetProgress(10_000);
        meter.SetProgress(240 * 6);

        Assert.False(meter.IsTooSlow(1 + 6000));
        Assert.True(meter.IsTooSlow(1 + 6001));
    }

    [Fact]
    public void A_reset_or_an_off_rate_never_trips()
    {
        var meter = Running(at: 1);
        meter.Reset();
        var off = new DataRateMeter(MinDataRate.Off, TicksPerSecond);
        off.Start();
        off.Run(true, 1);

        Assert.False(meter.IsTooSlow(1_000_000));
        Assert.False(off.IsTooSlow(1_000_000));
        Assert.Equal(long.MaxValue, off.DueAt(1_000_000));
    }

    [Fact]
    public void A_new_transfer_starts_from_nothing()
    {
        var meter = Running(at: 1);
        meter.Add(1_000_000);
        meter.Start();
        meter.Run(true, 10_000);

        Assert.True(meter.IsTooSlow(10_000 + 5001));
    }

    private static DataRateMeter Running(long at)
    {
        var meter = new DataRateMeter(Rate, TicksPerSecond);
        meter.Start();
        meter.Run(true, at);
        return meter;
    }
}
