using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace ParallelJobs.Operations.Images;

/// <summary>
/// A stream that throws once the item's token has fired, on every read and write. ImageSharp 2.1's PNG
/// decoder and its encoders do not observe a token themselves, but they read and write as they go, so a
/// timeout or Ctrl+C stops them at their next read or write instead of after the whole image.
/// </summary>
internal sealed class CancellableStream : Stream
{
    private readonly Stream _inner;
    private readonly CancellationToken _token;

    public CancellableStream(Stream inner, CancellationToken token)
    {
        _inner = inner;
        _token = token;
    }

    public override bool CanRead => _inner.CanRead;

    public override bool CanSeek => _inner.CanSeek;

    public override bool CanWrite => _inner.CanWrite;

    public override long Length => _inner.Length;

    public override long Position
    {
        get => _inner.Position;
        set => _inner.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        _token.ThrowIfCancellationRequested();
        return _inner.Read(buffer, offset, count);
    }

    public override int ReadByte()
    {
        _token.ThrowIfCancellationRequested();
        return _inner.ReadByte();
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        _token.ThrowIfCancellationRequested();
        return _inner.ReadAsync(buffer, offset, count, cancellationToken);
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        _token.ThrowIfCancellationRequested();
        _inner.Write(buffer, offset, count);
    }

    public override void WriteByte(byte value)
    {
        _token.ThrowIfCancellationRequested();
        _inner.WriteByte(value);
    }

    public override void Flush() => _inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

    public override void SetLength(long value) => _inner.SetLength(value);

    // The owner disposes the inner stream.
    protected override void Dispose(bool disposing) => base.Dispose(disposing);
}
