using System.Runtime.ExceptionServices;

namespace ActorHttp.Models.EventLoops;

/// <summary>
/// The context installed on an event loop's thread: an <c>await</c> in a handler (or in the loop's
/// own code) resumes through <see cref="Post"/>, that is, on the loop, after the work already queued.
/// So a handler's code only ever runs on the loop thread, and state it shares with the loop's other
/// handlers needs no lock.
/// </summary>
internal sealed class EventLoopSynchronizationContext(EventLoop loop) : SynchronizationContext
{
    public override void Post(SendOrPostCallback d, object? state) => loop.Post(d, state);

    /// <summary>Runs <paramref name="d"/> on the loop and waits for it: at once when called on the loop itself.</summary>
    public override void Send(SendOrPostCallback d, object? state)
    {
        if (loop.IsCurrentThread)
        {
            d(state);
            return;
        }

        using var done = new ManualResetEventSlim();
        Exception? failure = null;
        loop.Post(
            _ =>
            {
                try
                {
                    d(state);
                }
                catch (Exception error)
                {
                    failure = error;
                }
                finally
                {
                    done.Set();
                }
            },
            null);
        done.Wait();
        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    public override SynchronizationContext CreateCopy() => this;
}
