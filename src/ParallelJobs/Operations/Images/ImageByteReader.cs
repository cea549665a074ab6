using System;
using System.IO;
using System.Threading;

namespace ParallelJobs.Operations.Images;

/// <summary>
/// Reads an image file's structure forwards through a buffer: bytes, big- and little-endian integers,
/// skips that seek without reading, and a fast search for a marker byte. Every read returns -1 (or false)
/// at the end of the file instead of throwing, so a structure check can tell "truncated" from "corrupt".
/// </summary>
internal sealed class ImageByteReader
{
    private readonly Stream _stream;
    private readonly CancellationToken _token;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _position;
    private int _count;

    public ImageByteReader(Stream stream, CancellationToken token)
    {
        _stream = stream;
        _token = token;
        _stream.Position = 0;
        Length = stream.Length;
    }

    public long Length { get; }

    public long Position => _stream.Position - _count + _position;

    public int ReadByte()
    {
        if (_position == _count && !Fill())
        {
            return -1;
        }

        return _buffer[_position++];
    }

    public int ReadUInt16BigEndian()
    {
        int high = ReadByte();
        int low = ReadByte();
        return (high | low) < 0 ? -1 : (high << 8) | low;
    }

    public long ReadUInt32BigEndian()
    {
        int high = ReadUInt16BigEndian();
        int low = ReadUInt16BigEndian();
        return (high | low) < 0 ? -1 : ((long)high << 16) | (uint)low;
    }

    public int ReadUInt16LittleEndian()
    {
        int low = ReadByte();
        int high = ReadByte();
        return (high | low) < 0 ? -1 : (high << 8) | low;
    }

    public long ReadUInt32LittleEndian()
    {
        int low = ReadUInt16LittleEndian();
        int high = ReadUInt16LittleEndian();
        return (high | low) < 0 ? -1 : ((long)high << 16) | (uint)low;
    }

    /// <summary>Moves <paramref name="count"/> bytes on; false when the file is shorter than that.</summary>
    public bool Skip(long count)
    {
        if (count < 0)
        {
            return false;
        }

        if (count <= _count - _position)
        {
            _position += (int)count;
            return true;
        }

        long target = Position + count;
        if (target > Length)
        {
            return false;
        }

        _stream.Position = target;
        _position = _count = 0;
        return true;
    }

    /// <summary>Reads <paramref name="count"/> bytes into <paramref name="destination"/>; false when the file ends first.</summary>
    public bool ReadBytes(byte[] destination, int count)
    {
        int done = 0;
        while (done < count)
        {
            if (_position == _count && !Fill())
            {
                return false;
            }

            int take = Math.Min(count - done, _count - _position);
            Buffer.BlockCopy(_buffer, _position, destination, done, take);
            _position += take;
            done += take;
        }

        return true;
    }

    /// <summary>Moves to the next byte equal to <paramref name="value"/>, without reading it; false at the end of the file.</summary>
    public bool SkipTo(byte value)
    {
        while (true)
        {
            int found = Array.IndexOf(_buffer, value, _position, _count - _position);
            if (found >= 0)
            {
                _position = found;
                return true;
            }

            _position = _count;
            if (!Fill())
            {
                return false;
            }
        }
    }

    private bool Fill()
    {
        _token.ThrowIfCancellationRequested();
        _count = _stream.Read(_buffer, 0, _buffer.Length);
        _position = 0;
        return _count > 0;
    }
}
