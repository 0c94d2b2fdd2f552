using System.Runtime.InteropServices;

namespace ActorHttp.Bench;

/// <summary>
/// Turns Ctrl+C and SIGTERM into a cancelled token instead of ending the process at once, so a
/// load run stops every process it started (by process handle, in finally blocks) before it exits.
/// Used by the bench and the study alike.
/// </summary>
public sealed class RunCancellation : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly PosixSignalRegistration _onInterrupt;
    private readonly PosixSignalRegistration _onTerminate;

    public RunCancellation(TextWriter log)
    {
        void Cancel(PosixSignalContext signal)
        {
            signal.Cancel = true;
            log.WriteLine($"{signal.Signal}: stopping the servers this run started");
            _cancellation.Cancel();
        }

        _onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        _onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
    }

    public CancellationToken Token => _cancellation.Token;

    public bool IsCancellationRequested => _cancellation.IsCancellationRequested;

    public void Dispose()
    {
        _onInterrupt.Dispose();
        _onTerminate.Dispose();
        _cancellation.Dispose();
    }
}
