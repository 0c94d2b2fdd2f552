using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;

namespace ActorHttp.Hosting;

/// <summary>
/// The access log, kept off the connections' path: a connection hands each answered request to
/// <see cref="TryAdd"/> (one enqueue of a struct into a bounded buffer, nothing formatted, nothing
/// allocated), and one dedicated thread turns what has gathered into Serilog events, a batch at a
/// time, under the source context <c>ActorHttp.AccessLog</c> (see <see cref="AccessLogEvents"/>).
/// </summary>
/// <remarks>
/// When the output falls behind and the buffer is full, a line is dropped rather than slowing the
/// server down; drops are counted and reported as a warning at most every
/// <see cref="DropReportInterval"/>, and once more when the writer stops.
/// </remarks>
public sealed class AccessLogWriter : IHostedService, IDisposable
{
    /// <summary>How long lines gather before a batch is written: at high load one wake-up and one write then serve hundreds of lines.</summary>
    private static readonly TimeSpan BatchInterval = TimeSpan.FromMilliseconds(50);

    private static readonly TimeSpan DropReportInterval = TimeSpan.FromSeconds(10);

    private readonly Channel<AccessLogEntry> _buffer;
    private readonly Serilog.ILogger _output;
    private readonly Action? _endOfBatch;
    private readonly IAccessLogLineOutput? _lineOutput;
    private readonly IDisposable? _ownedOutput;
    private readonly Serilog.ILogger _diagnostics;
    private readonly int _capacity;
    private readonly Thread _thread;
    private readonly AccessLogEvents _events = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _dropped;
    private long _droppedReported;
    private long _lastDropReport;

    /// <param name="output">Where the events go: it decides format and destination, and may filter them.</param>
    /// <param name="capacity">Most lines waiting to be written (<c>actorhttp.server.access-log-buffer</c>).</param>
    /// <param name="diagnostics">Where drops are reported.</param>
    /// <param name="endOfBatch">Called after each batch, for an output that writes a batch at a time.</param>
    /// <param name="ownedOutput">Disposed when the writer is: an output built for it alone.</param>
    /// <param name="lineOutput">
    /// The sink behind <paramref name="output"/> when it can write lines straight from the entries
    /// (the executable's standard output in text): then no event is built per line.
    /// </param>
    public AccessLogWriter(Serilog.ILogger output, int capacity, Serilog.ILogger diagnostics, Action? endOfBatch = null, IDisposable? ownedOutput = null, IAccessLogLineOutput? lineOutput = null)
    {
        _output = output;
        _lineOutput = lineOutput;
        _capacity = capacity;
        _diagnostics = diagnostics.ForContext<AccessLogWriter>();
        _endOfBatch = endOfBatch;
        _ownedOutput = ownedOutput;
        // Wait mode only so that TryAdd learns the buffer is full (DropWrite would drop silently);
        // nothing ever waits on it.
        _buffer = Channel.CreateBounded<AccessLogEntry>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        // A thread of its own: a slow disk or console then holds it, never a pool thread the actors need.
        _thread = new Thread(Run) { IsBackground = true, Name = "actorhttp-access-log" };
    }

    /// <summary>Lines dropped so far because the buffer was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues one line; when the buffer is full it is dropped and counted instead. Any thread may call it.</summary>
    public void TryAdd(in AccessLogEntry entry)
    {
        if (!_buffer.Writer.TryWrite(entry))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Starts the writing thread.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _thread.Start();
        return Task.CompletedTask;
    }

    /// <summary>Writes what is still buffered, reports the drops, and stops. Call it after the connections have stopped.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _buffer.Writer.TryComplete();
        return _thread.IsAlive ? _stopped.Task.WaitAsync(cancellationToken) : Task.CompletedTask;
    }

    /// <summary>Disposes the output built for this writer alone.</summary>
    public void Dispose() => _ownedOutput?.Dispose();

    private void Run()
    {
        try
        {
            var reader = _buffer.Reader;
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                if (!reader.Completion.IsCompleted)
                {
                    Thread.Sleep(BatchInterval);
                }

                WriteBatch(reader);
                ReportDrops(final: false);
            }

            ReportDrops(final: true);
        }
        catch (Exception error)
        {
            // The server goes on without its access log rather than dying of it; later lines are
            // refused at once (and counted) instead of filling the buffer.
            _buffer.Writer.TryComplete();
            _diagnostics.Error(error, "The access log failed and stops; {Dropped} lines were dropped before", Dropped);
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private void WriteBatch(ChannelReader<AccessLogEntry> reader)
    {
        // One clock reading per batch: each line's time is placed from it by its own timestamp.
        var clock = DateTimeOffset.Now;
        var clockTimestamp = Stopwatch.GetTimestamp();
        while (reader.TryRead(out var entry))
        {
            var timestamp = clock - Stopwatch.GetElapsedTime(entry.EndTimestamp, clockTimestamp);
            if (_lineOutput is null || !_lineOutput.TryWrite(entry, timestamp))
            {
                _output.Write(_events.Create(entry, timestamp));
            }
        }

        _endOfBatch?.Invoke();
    }

    private void ReportDrops(bool final)
    {
        var dropped = Dropped;
        var now = Stopwatch.GetTimestamp();
        if (dropped == _droppedReported || (!final && Stopwatch.GetElapsedTime(_lastDropReport, now) < DropReportInterval))
        {
            return;
        }

        _diagnostics.Warning(
            "{Count} access-log lines dropped ({Total} since start): the log's output is slower than the requests and its buffer of {Capacity} lines was full",
            dropped - _droppedReported,
            dropped,
            _capacity);
        _droppedReported = dropped;
        _lastDropReport = now;
    }
}
