namespace ParallelJobs.Operations.Images;

/// <summary>The structure check of WebP: the RIFF container's size must fit in the file.</summary>
internal static class WebpStructure
{
    public static void Check(ImageByteReader reader, string path)
    {
        reader.Skip(4);
        long size = reader.ReadUInt32LittleEndian();
        if (size < 0 || 8 + size > reader.Length)
        {
            throw ImageErrors.Truncated(path, "WebP");
        }
    }
}
