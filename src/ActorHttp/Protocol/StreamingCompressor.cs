using System.IO.Compression;

namespace ActorHttp.Protocol;

/// <summary>
/// Compresses a streamed response body piece by piece with System.IO.Compression. Each piece is
/// flushed through the encoder (a Brotli flush, a zlib sync flush) so its bytes can go out at once and
/// the client can decode everything received so far; <see cref="Finish"/> ends the coded stream. It
/// holds the encoder's state and the coded bytes of one piece, never the whole body.
/// </summary>
public sealed class StreamingCompressor : IDisposable
{
    private readonly PooledBufferWriter _coded = new();
    private readonly Stream _encoder;
    private bool _finished;

    public StreamingCompressor(ContentCoding coding, CompressionLevel level)
    {
        if (coding == ContentCoding.Identity)
        {
            throw new ArgumentException("Identity needs no compressor.", nameof(coding));
        }

        var sink = new BufferWriterStream(_coded);
        _encoder = coding == ContentCoding.Brotli
            ? new BrotliStream(sink, level, leaveOpen: true)
            : new GZipStream(sink, level, leaveOpen: true);
    }

    /// <summary>The coded bytes for <paramref name="piece"/>; valid until the next call.</summary>
    public ReadOnlySpan<byte> Compress(ReadOnlySpan<byte> piece)
    {
        _coded.Clear();
        _encoder.Write(piece);
        _encoder.Flush();
        return _coded.WrittenMemory.Span;
    }

    /// <summary>The coded stream's last bytes (the end of the Brotli stream, the gzip trailer); valid until <see cref="Dispose"/>.</summary>
    public ReadOnlySpan<byte> Finish()
    {
        _coded.Clear();
        _finished = true;
        _encoder.Dispose();
        return _coded.WrittenMemory.Span;
    }

    public void Dispose()
    {
        if (!_finished)
        {
            // An unfinished stream (the connection closed midway): only the native state is freed.
            _finished = true;
            _encoder.Dispose();
        }

        _coded.Release();
    }

    /// <summary>The write-only stream the encoder writes its output into.</summary>
    private sealed class BufferWriterStream(PooledBufferWriter output) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            buffer.CopyTo(output.GetSpan(buffer.Length));
            output.Advance(buffer.Length);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
