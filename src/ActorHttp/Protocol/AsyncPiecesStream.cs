namespace ActorHttp.Protocol;

/// <summary>
/// An <see cref="IAsyncEnumerable{T}"/> of byte pieces read as a <see cref="Stream"/>, so a streamed
/// answer written as an async iterator goes through the same pump as any other body stream: the next
/// piece is asked of the iterator only when the last one has been read out. Disposing the stream
/// cancels the iterator's token and disposes the iterator (its <c>finally</c> blocks run), which is
/// how an answer abandoned by its client stops its producer.
/// </summary>
/// <remarks>
/// Hand-written: the BCL adapts streams to pipes and back, but has no adapter from an async sequence
/// of pieces to a stream. Only one read at a time, as the pump does.
/// </remarks>
internal sealed class AsyncPiecesStream : Stream
{
    private readonly CancellationTokenSource _stop = new();
    private readonly IAsyncEnumerator<ReadOnlyMemory<byte>> _pieces;
    private ReadOnlyMemory<byte> _current;
    private bool _ended;
    private int _disposed;

    public AsyncPiecesStream(IAsyncEnumerable<ReadOnlyMemory<byte>> pieces) => _pieces = pieces.GetAsyncEnumerator(_stop.Token);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Empty pieces are skipped: a read returning 0 would end the answer.
        while (_current.IsEmpty)
        {
            if (_ended || !await _pieces.MoveNextAsync().ConfigureAwait(false))
            {
                _ended = true;
                return 0;
            }

            _current = _pieces.Current;
        }

        var count = Math.Min(buffer.Length, _current.Length);
        _current.Span[..count].CopyTo(buffer.Span);
        _current = _current[count..];
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Only the thread-per-connection models read synchronously; their thread may wait for the producer.
    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stop.Cancel();
            // Disposing an iterator that is not suspended at a yield throws; the pump disposes only
            // between reads, but a producer ignoring its token could still be mid-step: then its own
            // ending (the token is cancelled) is all that is left to wait for.
            _ = DisposePieces();
        }

        base.Dispose(disposing);
    }

    private async Task DisposePieces()
    {
        try
        {
            await _pieces.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception error) when (error is NotSupportedException or InvalidOperationException or OperationCanceledException)
        {
            // See Dispose: the iterator was mid-step, and ends on its cancelled token, which must
            // therefore stay usable (the source is not disposed).
            return;
        }

        _stop.Dispose();
    }
}
