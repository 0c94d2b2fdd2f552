using Microsoft.Win32.SafeHandles;

namespace ActorHttp.Handlers.Shared;

/// <summary>
/// A read-only stream of one byte range of an open file that ends exactly at the range's end, so a
/// host copying it sends what <c>StreamLength</c> announced and no more. Each read names its offset
/// (<see cref="RandomAccess"/>), so there is no file position to keep in step. Disposing it closes the file.
/// </summary>
internal sealed class FileRangeStream(SafeFileHandle file, long start, long length) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var wanted = Wanted(buffer.Length);
        return wanted == 0 ? 0 : Advance(RandomAccess.Read(file, buffer[..wanted], start + _position));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var wanted = Wanted(buffer.Length);
        return wanted == 0 ? 0 : Advance(await RandomAccess.ReadAsync(file, buffer[..wanted], start + _position, cancellationToken).ConfigureAwait(false));
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            file.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Wanted(int room) => (int)Math.Min(room, length - _position);

    private int Advance(int read)
    {
        // The file shrank after its size was announced: ending quietly would send a short body
        // under a Content-Length that promised more, so the host must see a failure and abort.
        if (read == 0)
        {
            throw new IOException($"The file ended {length - _position} bytes before the announced end of its range.");
        }

        _position += read;
        return read;
    }
}
