namespace ParallelJobs.Operations.Images;

/// <summary>The structure check of PBM, PGM and PPM: the samples the header describes must all be there.</summary>
internal static class PbmStructure
{
    public static void Check(ImageByteReader reader, string path)
    {
        const string name = "PBM";
        reader.Skip(1);
        int kind = reader.ReadByte() - '0';
        long width = ReadNumber(reader);
        long height = ReadNumber(reader);
        long maxValue = kind is 1 or 4 ? 1 : ReadNumber(reader);
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
                if ((kind == 1 ? ReadBit(reader) : ReadNumber(reader)) < 0)
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

    private static int ReadBit(ImageByteReader reader)
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
    private static long ReadNumber(ImageByteReader reader)
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
