namespace ParallelJobs.Operations.Images;

/// <summary>
/// The structure check of TGA: ImageSharp decodes a cut-off TGA with the missing pixels black, so the pixel
/// data the header describes must be in the file; run-length data is walked packet by packet.
/// </summary>
internal static class TgaStructure
{
    public static void Check(ImageByteReader reader, string path)
    {
        const string name = "TGA";
        int idLength = reader.ReadByte();
        int colorMapType = reader.ReadByte();
        int imageType = reader.ReadByte();
        reader.Skip(2);
        int colorMapLength = reader.ReadUInt16LittleEndian();
        int colorMapEntryBits = reader.ReadByte();
        reader.Skip(4);
        int width = reader.ReadUInt16LittleEndian();
        int height = reader.ReadUInt16LittleEndian();
        int bitsPerPixel = reader.ReadByte();
        if (reader.ReadByte() < 0 || (idLength | colorMapType | imageType | colorMapLength | colorMapEntryBits | width | height | bitsPerPixel) < 0)
        {
            throw ImageErrors.Truncated(path, name);
        }

        long colorMapBytes = colorMapType == 1 ? (long)colorMapLength * ((colorMapEntryBits + 7) / 8) : 0;
        if (!reader.Skip(idLength + colorMapBytes))
        {
            throw ImageErrors.Truncated(path, name);
        }

        long pixels = (long)width * height;
        int pixelBytes = (bitsPerPixel + 7) / 8;
        if (imageType is 1 or 2 or 3)
        {
            if (reader.Position + (pixels * pixelBytes) > reader.Length)
            {
                throw ImageErrors.Truncated(path, name);
            }

            return;
        }

        if (imageType is not (9 or 10 or 11))
        {
            return;
        }

        // Each packet: a header byte (high bit: run), then one pixel for a run or count pixels raw.
        long done = 0;
        while (done < pixels)
        {
            int header = reader.ReadByte();
            if (header < 0)
            {
                throw ImageErrors.Truncated(path, name);
            }

            int count = (header & 0x7F) + 1;
            if (!reader.Skip((header & 0x80) != 0 ? pixelBytes : (long)count * pixelBytes))
            {
                throw ImageErrors.Truncated(path, name);
            }

            done += count;
        }
    }
}
