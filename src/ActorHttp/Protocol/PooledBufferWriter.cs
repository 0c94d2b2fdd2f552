using System.Buffers;

namespace ActorHttp.Protocol;

/// <summary>
/// A buffer writer over arrays rented from <see cref="ArrayPool{T}.Shared"/>, released after each
/// send so an idle connection holds no output memory. (The BCL's <c>ArrayBufferWriter</c> is not
/// pooled; this is the small piece it lacks.)
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>
{
    private const int MinimumRent = 4096;
    private byte[] _buffer = [];
    private int _written;

    public int WrittenCount => _written;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_written + count > _buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureRoom(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureRoom(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Forgets what was written but keeps the buffer, for a writer refilled again and again.</summary>
    public void Clear() => _written = 0;

    /// <summary>Gives the buffer back to the pool; the next write rents again.</summary>
    public void Release()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = [];
        _written = 0;
    }

    private void EnsureRoom(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(MinimumRent, Math.Max(_buffer.Length * 2, _written + needed)));
        _buffer.AsSpan(0, _written).CopyTo(grown);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = grown;
    }
}
