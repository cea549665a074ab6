using System;
using System.IO;
using System.Threading;

namespace ParallelJobs.Operations.Images;

/// <summary>
/// The structure check of TIFF: ImageSharp decodes a cut-off TIFF with the missing strips blank, so the
/// first image directory must be in the file and every strip or tile it lists must end inside the file.
/// Only the first page is checked, as only it is decoded. BigTIFF is left to the decoder.
/// </summary>
internal static class TiffStructure
{
    private const int StripOffsets = 273;
    private const int StripByteCounts = 279;
    private const int TileOffsets = 324;
    private const int TileByteCounts = 325;
    private const int MaxEntries = 4096;
    private const int MaxParts = 1 << 20;

    public static void Check(Stream stream, string path, CancellationToken token)
    {
        const string name = "TIFF";
        long length = stream.Length;
        byte[] header = Read(stream, 0, 8, path);
        bool little = header[0] == (byte)'I';
        if (U16(header, 2, little) != 42)
        {
            return;
        }

        long ifd = U32(header, 4, little);
        byte[] countBytes = Read(stream, ifd, 2, path);
        int entries = U16(countBytes, 0, little);
        if (entries > MaxEntries)
        {
            throw ImageErrors.Invalid(path, name, $"its first directory claims {entries} entries.");
        }

        byte[] table = Read(stream, ifd + 2, entries * 12, path);
        long[]? offsets = null, counts = null;
        for (int i = 0; i < entries; i++)
        {
            int at = i * 12;
            int tag = U16(table, at, little);
            if (tag is StripOffsets or TileOffsets)
            {
                offsets = Values(stream, table, at, little, path, token);
            }
            else if (tag is StripByteCounts or TileByteCounts)
            {
                counts = Values(stream, table, at, little, path, token);
            }
        }

        if (offsets is null || counts is null || offsets.Length != counts.Length)
        {
            throw ImageErrors.Invalid(path, name, "its first directory does not say where its image data is.");
        }

        for (int i = 0; i < offsets.Length; i++)
        {
            if (offsets[i] + counts[i] > length)
            {
                throw ImageErrors.Truncated(path, name);
            }
        }
    }

    /// <summary>The SHORT or LONG values of one directory entry, inline or at the offset it gives.</summary>
    private static long[] Values(Stream stream, byte[] table, int at, bool little, string path, CancellationToken token)
    {
        int type = U16(table, at + 2, little);
        long count = U32(table, at + 4, little);
        int size = type == 3 ? 2 : type == 4 ? 4 : 0;
        if (size == 0 || count > MaxParts)
        {
            throw ImageErrors.Invalid(path, "TIFF", "its strip or tile table is not readable.");
        }

        byte[] data = count * size <= 4
            ? new[] { table[at + 8], table[at + 9], table[at + 10], table[at + 11] }
            : Read(stream, U32(table, at + 8, little), (int)(count * size), path);
        token.ThrowIfCancellationRequested();
        var values = new long[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = size == 2 ? U16(data, i * 2, little) : U32(data, i * 4, little);
        }

        return values;
    }

    private static byte[] Read(Stream stream, long offset, int count, string path)
    {
        if (offset < 0 || offset + count > stream.Length)
        {
            throw ImageErrors.Truncated(path, "TIFF");
        }

        var buffer = new byte[count];
        stream.Position = offset;
        int done = 0;
        while (done < count)
        {
            int read = stream.Read(buffer, done, count - done);
            if (read == 0)
            {
                throw ImageErrors.Truncated(path, "TIFF");
            }

            done += read;
        }

        return buffer;
    }

    private static int U16(byte[] b, int at, bool little) =>
        little ? b[at] | (b[at + 1] << 8) : (b[at] << 8) | b[at + 1];

    private static long U32(byte[] b, int at, bool little) => little
        ? (uint)(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24))
        : (uint)((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
}
