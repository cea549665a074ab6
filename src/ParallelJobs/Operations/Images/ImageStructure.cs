using System.IO;
using System.Text;
using System.Threading;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Pbm;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;

namespace ParallelJobs.Operations.Images;

/// <summary>
/// Walks an image file's container structure before it is decoded: ImageSharp 2.1 decodes a truncated
/// JPEG, PNG, GIF, BMP, WebP or PBM without complaint (the missing part comes out grey or black), so a
/// cut-off download would silently become a broken thumbnail. Also counts a GIF's frames, so that an
/// animation with too many is refused before any frame is decoded. The walk reads segment headers and
/// seeks over their bodies; only a JPEG's compressed data is scanned, for its next marker.
/// TIFF and TGA need no walk: ImageSharp already fails on a truncated one.
/// </summary>
internal static class ImageStructure
{
    /// <summary>Throws ImageInvalid when the file is cut short; returns the frame count, counting no further than frameLimit + 1.</summary>
    public static int Check(Stream stream, IImageFormat format, string path, int frameLimit, CancellationToken token)
    {
        var reader = new ImageByteReader(stream, token);
        switch (format)
        {
            case JpegFormat:
                CheckJpeg(reader, path);
                return 1;
            case PngFormat:
                CheckPng(reader, path);
                return 1;
            case GifFormat:
                return CheckGif(reader, path, frameLimit);
            case BmpFormat:
                CheckBmp(reader, path);
                return 1;
            case WebpFormat:
                CheckWebp(reader, path);
                return 1;
            case PbmFormat:
                CheckPbm(reader, path);
                return 1;
            default:
                return 1;
        }
    }

    private static void CheckJpeg(ImageByteReader reader, string path)
    {
        const string name = "JPEG";
        if (reader.ReadByte() != 0xFF || reader.ReadByte() != 0xD8)
        {
            throw ImageErrors.Invalid(path, name, "it does not start with a start-of-image marker.");
        }

        int pending = -1;
        while (true)
        {
            int code = pending;
            pending = -1;
            if (code < 0)
            {
                // Bytes between segments are skipped up to the next marker, as decoders do.
                if (!reader.SkipTo(0xFF) || (code = ReadMarkerCode(reader)) < 0)
                {
                    throw ImageErrors.Truncated(path, name);
                }
            }

            if (code == 0xD9)
            {
                return;
            }

            if (code == 0x00 || code == 0x01 || (code >= 0xD0 && code <= 0xD7))
            {
                // Markers without a length: stuffing, TEM and restart markers.
                continue;
            }

            int length = reader.ReadUInt16BigEndian();
            if (length < 0 || !reader.Skip(length - 2))
            {
                throw ImageErrors.Truncated(path, name);
            }

            if (length < 2)
            {
                throw ImageErrors.Invalid(path, name, $"segment 0xFF{code:X2} has an impossible length of {length}.");
            }

            if (code != 0xDA)
            {
                continue;
            }

            // Compressed scan data follows a start-of-scan header, up to the next marker that is neither
            // a stuffed 0xFF00 nor a restart marker.
            while (pending < 0)
            {
                int next;
                if (!reader.SkipTo(0xFF) || (next = ReadMarkerCode(reader)) < 0)
                {
                    throw ImageErrors.Truncated(path, name);
                }

                if (next != 0x00 && (next < 0xD0 || next > 0xD7))
                {
                    pending = next;
                }
            }
        }
    }

    /// <summary>Reads a marker's 0xFF, any 0xFF fill bytes after it, and returns its code; -1 at the end of the file.</summary>
    private static int ReadMarkerCode(ImageByteReader reader)
    {
        reader.ReadByte();
        int code;
        do
        {
            code = reader.ReadByte();
        }
        while (code == 0xFF);
        return code;
    }

    private static void CheckPng(ImageByteReader reader, string path)
    {
        const string name = "PNG";
        reader.Skip(8);
        var type = new int[4];
        while (true)
        {
            long length = reader.ReadUInt32BigEndian();
            for (int i = 0; i < 4; i++)
            {
                type[i] = reader.ReadByte();
            }

            if (length < 0 || type[3] < 0)
            {
                throw ImageErrors.Truncated(path, name);
            }

            string chunk = Encoding.ASCII.GetString(new[] { (byte)type[0], (byte)type[1], (byte)type[2], (byte)type[3] });
            if (length > int.MaxValue)
            {
                throw ImageErrors.Invalid(path, name, $"chunk '{chunk}' has an impossible length of {length}.");
            }

            // The chunk's data and its CRC.
            if (!reader.Skip(length + 4))
            {
                throw ImageErrors.Truncated(path, name);
            }

            if (chunk == "IEND")
            {
                return;
            }
        }
    }

    private static int CheckGif(ImageByteReader reader, string path, int frameLimit)
    {
        const string name = "GIF";

        // Header (6), logical screen width and height (4), flags, background colour, aspect ratio.
        if (!reader.Skip(10))
        {
            throw ImageErrors.Truncated(path, name);
        }

        int flags = reader.ReadByte();
        if (flags < 0 || !reader.Skip(2) || !SkipColorTable(reader, flags))
        {
            throw ImageErrors.Truncated(path, name);
        }

        int frames = 0;
        while (true)
        {
            int block = reader.ReadByte();
            switch (block)
            {
                case -1:
                    // A missing trailer after a complete block is tolerated, as browsers do.
                    return frames;
                case 0x3B:
                    return frames;
                case 0x21:
                    if (reader.ReadByte() < 0 || !SkipSubBlocks(reader))
                    {
                        throw ImageErrors.Truncated(path, name);
                    }

                    break;
                case 0x2C:
                    if (++frames > frameLimit)
                    {
                        return frames;
                    }

                    // Position and size (8), flags, local colour table, LZW code size, image data.
                    if (!reader.Skip(8) || (flags = reader.ReadByte()) < 0 || !SkipColorTable(reader, flags) || !reader.Skip(1) || !SkipSubBlocks(reader))
                    {
                        throw ImageErrors.Truncated(path, name);
                    }

                    break;
                default:
                    // ImageSharp skips unknown bytes between blocks; so does this walk.
                    break;
            }
        }
    }

    private static bool SkipColorTable(ImageByteReader reader, int flags) =>
        (flags & 0x80) == 0 || reader.Skip(3 * (1 << ((flags & 0x07) + 1)));

    private static bool SkipSubBlocks(ImageByteReader reader)
    {
        while (true)
        {
            int size = reader.ReadByte();
            if (size < 0)
            {
                return false;
            }

            if (size == 0)
            {
                return true;
            }

            if (!reader.Skip(size))
            {
                return false;
            }
        }
    }

    private static void CheckBmp(ImageByteReader reader, string path)
    {
        const string name = "BMP";
        reader.Skip(10);
        long dataOffset = reader.ReadUInt32LittleEndian();
        long headerSize = reader.ReadUInt32LittleEndian();
        long width, height;
        int bitsPerPixel;
        long compression = 0, imageSize = 0;
        if (headerSize == 12)
        {
            width = reader.ReadUInt16LittleEndian();
            height = reader.ReadUInt16LittleEndian();
            reader.Skip(2);
            bitsPerPixel = reader.ReadUInt16LittleEndian();
        }
        else
        {
            width = (int)reader.ReadUInt32LittleEndian();
            height = (int)reader.ReadUInt32LittleEndian();
            reader.Skip(2);
            bitsPerPixel = reader.ReadUInt16LittleEndian();
            compression = reader.ReadUInt32LittleEndian();
            imageSize = reader.ReadUInt32LittleEndian();
        }

        if (dataOffset < 0 || bitsPerPixel < 0 || imageSize < 0)
        {
            throw ImageErrors.Truncated(path, name);
        }

        // Uncompressed rows are padded to 4 bytes; compressed data has the size its header gives, if any.
        long needed = compression is 0 or 3 or 6
            ? dataOffset + ((bitsPerPixel * System.Math.Abs(width) + 31) / 32 * 4 * System.Math.Abs(height))
            : dataOffset + imageSize;
        if (needed > reader.Length)
        {
            throw ImageErrors.Truncated(path, name);
        }
    }

    private static void CheckWebp(ImageByteReader reader, string path)
    {
        reader.Skip(4);
        long size = reader.ReadUInt32LittleEndian();
        if (size < 0 || 8 + size > reader.Length)
        {
            throw ImageErrors.Truncated(path, "WebP");
        }
    }

    private static void CheckPbm(ImageByteReader reader, string path)
    {
        const string name = "PBM";
        reader.Skip(1);
        int kind = reader.ReadByte() - '0';
        long width = ReadPbmNumber(reader);
        long height = ReadPbmNumber(reader);
        long maxValue = kind is 1 or 4 ? 1 : ReadPbmNumber(reader);
        if (width < 0 || height < 0 || maxValue < 0)
        {
            throw ImageErrors.Truncated(path, name);
        }

        if (kind is >= 1 and <= 3)
        {
            // Plain text: one number per sample (a bitmap's 0 and 1 need no spaces between them).
            long samples = width * height * (kind == 3 ? 3 : 1);
            for (long i = 0; i < samples; i++)
            {
                if ((kind == 1 ? ReadPbmBit(reader) : ReadPbmNumber(reader)) < 0)
                {
                    throw ImageErrors.Truncated(path, name);
                }
            }

            return;
        }

        // The single whitespace byte that ends the header was read with the last number.
        long dataStart = reader.Position;
        int bytesPerSample = maxValue > 255 ? 2 : 1;
        long dataSize = kind switch
        {
            4 => (width + 7) / 8 * height,
            5 => width * height * bytesPerSample,
            _ => width * height * 3 * bytesPerSample,
        };
        if (dataStart + dataSize > reader.Length)
        {
            throw ImageErrors.Truncated(path, name);
        }
    }

    private static int ReadPbmBit(ImageByteReader reader)
    {
        int c;
        do
        {
            c = reader.ReadByte();
            if (c == '#')
            {
                while (c >= 0 && c != '\n' && c != '\r')
                {
                    c = reader.ReadByte();
                }
            }
        }
        while (c >= 0 && c != '0' && c != '1');
        return c;
    }

    /// <summary>
    /// The next decimal number in a PBM file, skipping whitespace and # comments, and the byte after it;
    /// -1 at the end of the file.
    /// </summary>
    private static long ReadPbmNumber(ImageByteReader reader)
    {
        int c = reader.ReadByte();
        while (c == '#' || (c >= 0 && char.IsWhiteSpace((char)c)))
        {
            if (c == '#')
            {
                while (c >= 0 && c != '\n' && c != '\r')
                {
                    c = reader.ReadByte();
                }
            }

            c = reader.ReadByte();
        }

        long value = -1;
        for (int digits = 0; c >= '0' && c <= '9' && digits < 10; digits++)
        {
            value = (value < 0 ? 0 : value * 10) + (c - '0');
            c = reader.ReadByte();
        }

        return value;
    }
}
