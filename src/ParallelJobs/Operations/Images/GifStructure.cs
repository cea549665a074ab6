namespace ParallelJobs.Operations.Images;

/// <summary>The structure check of GIF: blocks and their sub-blocks are skipped by their lengths, counting the frames on the way.</summary>
internal static class GifStructure
{
    public static int Check(ImageByteReader reader, string path, int frameLimit)
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
}
