using System.Text;

namespace ParallelJobs.Operations.Images;

/// <summary>The structure check of PNG: chunk headers are read and their data skipped, up to the IEND chunk a whole file has.</summary>
internal static class PngStructure
{
    public static void Check(ImageByteReader reader, string path)
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
}
