using System;

namespace ParallelJobs.Operations.Images;

/// <summary>The structure check of BMP: the pixel data the header describes must fit in the file.</summary>
internal static class BmpStructure
{
    public static void Check(ImageByteReader reader, string path)
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
            ? dataOffset + ((bitsPerPixel * Math.Abs(width) + 31) / 32 * 4 * Math.Abs(height))
            : dataOffset + imageSize;
        if (needed > reader.Length)
        {
            throw ImageErrors.Truncated(path, name);
        }
    }
}
