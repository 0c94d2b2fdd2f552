using System.Diagnostics;

namespace ActorHttp.Models;

/// <summary>
/// The timeout of a wait that ends at a deadline (a <see cref="Stopwatch"/> timestamp;
/// <see cref="long.MaxValue"/> for none), rounded up: a wait that ended early would only find the
/// deadline not yet due and wait again.
/// </summary>
internal static class DeadlineWait
{
    /// <summary>Milliseconds until <paramref name="deadline"/>; <see cref="Timeout.Infinite"/> for none, 0 when due.</summary>
    public static int Milliseconds(long deadline) => Until(deadline, 1_000);

    /// <summary>Microseconds until <paramref name="deadline"/>, for <c>Socket.Poll</c> and <c>Socket.Select</c>; -1 for none, 0 when due.</summary>
    public static int Microseconds(long deadline) => Until(deadline, 1_000_000);

    private static int Until(long deadline, double unitsPerSecond)
    {
        if (deadline == long.MaxValue)
        {
            return Timeout.Infinite;
        }

        var ticks = deadline - Stopwatch.GetTimestamp();
        if (ticks <= 0)
        {
            return 0;
        }

        // A deadline past int.MaxValue units (35 minutes in microseconds) ends the wait early; the
        // waiter then waits again.
        return (int)Math.Min(Math.Ceiling(ticks * unitsPerSecond / Stopwatch.Frequency), int.MaxValue);
    }
}
