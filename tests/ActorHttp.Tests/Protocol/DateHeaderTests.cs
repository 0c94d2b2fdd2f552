using System.Globalization;
using System.Text;
using ActorHttp.Protocol;
using Xunit;

namespace ActorHttp.Tests.Protocol;

public class DateHeaderTests
{
    [Fact]
    public void Formats_the_rfc_9110_example_instant_as_imf_fixdate()
    {
        var line = DateHeaderSource.Format(new DateTimeOffset(1994, 11, 6, 8, 49, 37, TimeSpan.Zero));

        Assert.Equal("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n", Encoding.ASCII.GetString(line));
    }

    [Fact]
    public void Pads_single_digits_and_converts_other_offsets_to_gmt()
    {
        // 01:02:03 at +02:00 is 23:02:03 GMT the previous day.
        var line = DateHeaderSource.Format(new DateTimeOffset(2024, 3, 6, 1, 2, 3, TimeSpan.FromHours(2)));

        Assert.Equal("Date: Tue, 05 Mar 2024 23:02:03 GMT\r\n", Encoding.ASCII.GetString(line));
    }

    [Fact]
    public void Returns_the_same_bytes_within_a_second_and_new_bytes_after_it_changes()
    {
        var clock = new ManualClock(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var source = new DateHeaderSource(clock);

        var first = source.Current;
        clock.Now = clock.Now.AddMilliseconds(999);
        var sameSecond = source.Current;
        clock.Now = clock.Now.AddMilliseconds(1);
        var nextSecond = source.Current;

        Assert.Same(first, sameSecond);
        Assert.NotSame(first, nextSecond);
        Assert.Equal("Date: Thu, 02 Jan 2025 03:04:05 GMT\r\n", Encoding.ASCII.GetString(first));
        Assert.Equal("Date: Thu, 02 Jan 2025 03:04:06 GMT\r\n", Encoding.ASCII.GetString(nextSecond));
    }

    [Fact]
    public void Concurrent_readers_always_see_a_complete_line_for_the_current_second()
    {
        var clock = new ManualClock(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var source = new DateHeaderSource(clock);
        var seen = new System.Collections.Concurrent.ConcurrentBag<string>();

        Parallel.For(0, 10_000, i =>
        {
            if (i % 1000 == 0)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
            }

            seen.Add(Encoding.ASCII.GetString(source.Current));
        });

        Assert.All(seen, line =>
        {
            Assert.Equal(DateHeaderSource.LineLength, line.Length);
            Assert.StartsWith("Date: ", line);
            Assert.EndsWith(" GMT\r\n", line);
        });
    }

    [Fact]
    public void The_shared_line_is_the_current_utc_time()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var line = Encoding.ASCII.GetString(DateHeader.Current);
        var after = DateTimeOffset.UtcNow.AddSeconds(1);

        Assert.StartsWith("Date: ", line);
        Assert.EndsWith("\r\n", line);
        var stamped = DateTimeOffset.ParseExact(line[6..^2], "r", CultureInfo.InvariantCulture);
        Assert.InRange(stamped, before, after);
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public DateTimeOffset Now
        {
            get => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
            set => Interlocked.Exchange(ref _ticks, value.UtcTicks);
        }

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
