using ActorHttp.Protocol.Connection;

namespace ActorHttp.Models;

/// <summary>
/// The body of a streamed answer (<see cref="Protocol.HttpResponse.BodyStream"/>) handed to the core
/// a piece at a time. The next piece is read only once the core reports the pieces so far sent
/// (<see cref="IConnectionHost.OnResponseChunksSent"/>), so a client reading slowly slows the reading
/// of the stream, and one piece of memory per answer is all it holds.
/// </summary>
/// <remarks>
/// The piece buffer is reused: a piece is copied into the core's output before that output is sent,
/// and the next read starts only after the send. A read may still be under way on another thread
/// (the tasks model) when the core abandons the answer, so who disposes the stream is settled by
/// one atomic state: the abort when no read is under way, otherwise the end of that read.
/// </remarks>
internal sealed class ResponseStreamPump
{
    /// <summary>The most read in one piece: the static files' default chunk size, large enough that a big file costs few sends.</summary>
    public const int PieceSize = 64 * 1024;

    private const int Idle = 0;
    private const int Reading = 1;
    private const int AbortedWhileReading = 2;
    private const int Done = 3;

    private readonly Stream _body;
    private readonly long? _length;
    private readonly byte[] _piece;
    private long _delivered;
    private int _state;

    /// <param name="length">The length the answer announced, when it did: reading stops there.</param>
    public ResponseStreamPump(long sequence, Stream body, long? length)
    {
        Sequence = sequence;
        _body = body;
        _length = length;
        _piece = new byte[length is { } total ? (int)Math.Clamp(total, 1, PieceSize) : PieceSize];
    }

    public long Sequence { get; }

    /// <summary>Claims the next read; false when the answer is over (ended or abandoned) and nothing is to be read.</summary>
    public bool BeginRead() => Interlocked.CompareExchange(ref _state, Reading, Idle) == Idle;

    /// <summary>Reads the next piece on the calling thread; 0 at the stream's end.</summary>
    public int Read() => _body.Read(_piece, 0, NextPieceLength);

    /// <summary>Reads the next piece; 0 at the stream's end.</summary>
    public ValueTask<int> ReadAsync(CancellationToken cancellationToken) => _body.ReadAsync(_piece.AsMemory(0, NextPieceLength), cancellationToken);

    /// <summary>
    /// Ends the read claimed by <see cref="BeginRead"/>, on whatever thread it completed: true when
    /// its piece is to be delivered; false when the answer was abandoned meanwhile (the stream is
    /// then disposed here).
    /// </summary>
    public bool EndRead()
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Reading) == Reading)
        {
            return true;
        }

        Finish();
        return false;
    }

    /// <summary>
    /// Hands the piece just read to the core; at the end of the stream, or at the announced length,
    /// ends the answer and disposes the stream. Called on the connection's thread.
    /// </summary>
    public void Deliver(Http1Connection core, int count, long now)
    {
        if (Volatile.Read(ref _state) == Done)
        {
            return;
        }

        if (count == 0)
        {
            Finish();
            core.RespondEnd(Sequence, now);
            return;
        }

        _delivered += count;
        if (!core.RespondChunk(Sequence, _piece.AsMemory(0, count), now))
        {
            Finish();
            return;
        }

        if (_length is { } total && _delivered >= total)
        {
            Finish();
            core.RespondEnd(Sequence, now);
        }
    }

    /// <summary>The answer will not be sent to its end: the stream is disposed now, or by the read under way when it ends.</summary>
    public void Abort()
    {
        if (Interlocked.CompareExchange(ref _state, Done, Idle) == Idle)
        {
            _body.Dispose();
            return;
        }

        Interlocked.CompareExchange(ref _state, AbortedWhileReading, Reading);
    }

    private int NextPieceLength => _length is { } total ? (int)Math.Min(_piece.Length, Math.Max(total - _delivered, 0)) : _piece.Length;

    private void Finish()
    {
        if (Interlocked.Exchange(ref _state, Done) != Done)
        {
            _body.Dispose();
        }
    }
}
