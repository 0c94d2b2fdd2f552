using System.Collections.Concurrent;
using System.Diagnostics;

namespace ActorHttp.Models.EventLoops;

/// <summary>
/// One thread that runs, one at a time, everything its connections do: socket completions, handler
/// code and its continuations, deadline checks. Other threads only post work to it
/// (<see cref="Post"/>); deadlines are kept in a heap on the loop and waited for with the loop's one
/// wait, so a connection costs no timer.
/// </summary>
/// <remarks>
/// Anything that blocks or burns CPU on the loop stalls every connection on it, timers included: a
/// deadline due meanwhile fires only when the loop comes back. That is the model, and it is not
/// worked around.
/// </remarks>
internal sealed class EventLoop
{
    // Posted work run between two looks at the timers, so a flood of completions cannot hold
    // deadlines back for long.
    private const int WorkPerTurn = 1024;

    private readonly ConcurrentQueue<(SendOrPostCallback Callback, object? State)> _work = new();
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly PriorityQueue<LoopTimer, long> _timers = new();
    private readonly Thread _thread;
    private readonly Serilog.ILogger _log;
    private volatile bool _stopped;

    public EventLoop(int index, Serilog.ILogger log)
    {
        _log = log;
        Context = new EventLoopSynchronizationContext(this);
        _thread = new Thread(Run)
        {
            // Background: a loop stuck in a handler past shutdown-timeout must not keep the process alive.
            IsBackground = true,
            Name = $"actorhttp-loop-{index}",
        };
    }

    /// <summary>The SynchronizationContext current on the loop's thread: continuations posted to it run on the loop.</summary>
    public SynchronizationContext Context { get; }

    public bool IsCurrentThread => Thread.CurrentThread == _thread;

    public void Start() => _thread.Start();

    /// <summary>Ends the loop after the work it is running; work still queued is dropped.</summary>
    public void Stop()
    {
        _stopped = true;
        _wake.Set();
    }

    /// <summary>Queues <paramref name="callback"/> to run on the loop; safe from any thread.</summary>
    public void Post(SendOrPostCallback callback, object? state)
    {
        _work.Enqueue((callback, state));
        _wake.Set();
    }

    /// <summary>Has the connection of <paramref name="timer"/> told (<see cref="LoopConnection.OnTimer"/>) on the loop at <paramref name="due"/>, a timestamp. Only on the loop.</summary>
    public void AddTimer(LoopTimer timer, long due) => _timers.Enqueue(timer, due);

    private void Run()
    {
        SynchronizationContext.SetSynchronizationContext(Context);
        while (!_stopped)
        {
            RunDueTimers();
            RunPostedWork();
            WaitForWork();
        }
    }

    private void RunDueTimers()
    {
        var now = Stopwatch.GetTimestamp();
        while (_timers.TryPeek(out var timer, out var due) && due <= now)
        {
            _timers.Dequeue();
            try
            {
                timer.Connection?.OnTimer(due);
            }
            catch (Exception error)
            {
                LogFailure(error);
            }
        }
    }

    /// <summary>Sleeps until work is posted or the earliest deadline is due.</summary>
    private void WaitForWork()
    {
        // Reset before looking: work posted after the look sets the event again, so it is never missed.
        _wake.Reset();
        if (!_work.IsEmpty || _stopped)
        {
            return;
        }

        var timeout = _timers.TryPeek(out _, out var due) ? DeadlineWait.Milliseconds(due) : Timeout.Infinite;
        if (timeout != 0)
        {
            _wake.Wait(timeout);
        }
    }

    private void RunPostedWork()
    {
        for (var i = 0; i < WorkPerTurn && _work.TryDequeue(out var work); i++)
        {
            try
            {
                work.Callback(work.State);
            }
            catch (Exception error)
            {
                LogFailure(error);
            }
        }
    }

    /// <summary>Work let an exception escape: a bug, logged; the loop goes on for its other connections.</summary>
    private void LogFailure(Exception error) => _log.Error(error, "Work on event loop {Loop} failed", _thread.Name);
}
