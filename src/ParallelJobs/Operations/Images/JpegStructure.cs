namespace ParallelJobs.Operations.Images;

/// <summary>The structure check of JPEG: segment headers are skipped by their lengths, and compressed scan data is scanned for its next marker, up to the end-of-image marker a whole file has.</summary>
internal static class JpegStructure
{
    public static void Check(ImageByteReader reader, string path)
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
}
