using System;
using System.IO;
using System.IO.Compression;
using System.Text;
using System.Threading;

namespace ParallelJobs.Operations.Images;

/// <summary>
/// Bounds a PNG's metadata before any decoder sees it: ImageSharp inflates zTXt, iTXt and iCCP chunks whole,
/// so a 100 KB file of compressed zeros costs gigabytes. Ancillary chunks together may hold at most
/// <see cref="MaxAncillaryBytes"/>, and the compressed ones may inflate to at most <see cref="MaxInflatedBytes"/>
/// together; the inflation is streamed with that cap, so the check itself stays small. A file cut short is
/// left for <see cref="PngStructure"/> to report.
/// </summary>
internal static class PngMetadata
{
    public const int MaxAncillaryBytes = 8 * 1024 * 1024;

    public const int MaxInflatedBytes = 16 * 1024 * 1024;

    public static void Check(Stream stream, string path, CancellationToken token)
    {
        var reader = new ImageByteReader(stream, token);
        reader.Skip(8);
        long ancillary = 0;
        long inflated = 0;
        var type = new byte[4];
        while (true)
        {
            long length = reader.ReadUInt32BigEndian();
            if (length < 0 || !reader.ReadBytes(type, 4) || length > int.MaxValue)
            {
                return;
            }

            string chunk = Encoding.ASCII.GetString(type);
            bool isAncillary = (type[0] & 0x20) != 0;
            if (!isAncillary)
            {
                if (chunk == "IEND" || !reader.Skip(length + 4))
                {
                    return;
                }

                continue;
            }

            ancillary += length;
            if (ancillary > MaxAncillaryBytes)
            {
                throw ImageErrors.MetadataTooLarge(path, $"its metadata chunks hold more than {MaxAncillaryBytes / (1024 * 1024)} MB (at chunk '{chunk}').");
            }

            if (chunk is not ("zTXt" or "iTXt" or "iCCP"))
            {
                if (!reader.Skip(length + 4))
                {
                    return;
                }

                continue;
            }

            var data = new byte[length];
            if (!reader.ReadBytes(data, (int)length) || !reader.Skip(4))
            {
                return;
            }

            int start = CompressedStart(chunk, data);
            if (start >= 0)
            {
                inflated += Inflate(data, start, MaxInflatedBytes - inflated, token);
                if (inflated > MaxInflatedBytes)
                {
                    throw ImageErrors.MetadataTooLarge(path, $"its compressed '{chunk}' metadata inflates to more than {MaxInflatedBytes / (1024 * 1024)} MB.");
                }
            }
        }
    }

    /// <summary>Where the zlib stream starts in the chunk's data, or -1 when it holds none.</summary>
    private static int CompressedStart(string chunk, byte[] data)
    {
        int keywordEnd = Array.IndexOf(data, (byte)0);
        if (keywordEnd < 0)
        {
            return -1;
        }

        if (chunk != "iTXt")
        {
            // zTXt and iCCP: keyword, NUL, compression method, compressed data.
            return keywordEnd + 2 <= data.Length ? keywordEnd + 2 : -1;
        }

        // iTXt: keyword, NUL, compression flag, method, language, NUL, translated keyword, NUL, text.
        if (keywordEnd + 2 >= data.Length || data[keywordEnd + 1] == 0)
        {
            return -1;
        }

        int languageEnd = Array.IndexOf(data, (byte)0, keywordEnd + 3);
        int translatedEnd = languageEnd < 0 ? -1 : Array.IndexOf(data, (byte)0, languageEnd + 1);
        return translatedEnd < 0 ? -1 : translatedEnd + 1;
    }

    /// <summary>Inflates a zlib stream, counting no further than one byte past <paramref name="cap"/>; bad data counts as nothing (the decoder reports it).</summary>
    private static long Inflate(byte[] data, int start, long cap, CancellationToken token)
    {
        if (data.Length - start < 2)
        {
            return 0;
        }

        // A zlib header (and a preset dictionary's id) comes before the raw deflate data DeflateStream reads.
        int skip = (data[start + 1] & 0x20) != 0 ? 6 : 2;
        if (data.Length - start < skip)
        {
            return 0;
        }

        long total = 0;
        var buffer = new byte[64 * 1024];
        try
        {
            using var inflater = new DeflateStream(new MemoryStream(data, start + skip, data.Length - start - skip), CompressionMode.Decompress);
            int read;
            while ((read = inflater.Read(buffer, 0, buffer.Length)) > 0)
            {
                total += read;
                if (total > cap)
                {
                    break;
                }

                token.ThrowIfCancellationRequested();
            }
        }
        catch (InvalidDataException)
        {
            // Corrupt compressed metadata is the decoder's to report; what inflated so far still counts.
        }

        return total;
    }
}
