using System.IO;
using System.Threading;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Pbm;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tga;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;

namespace ParallelJobs.Operations.Images;

/// <summary>
/// Walks an image file's container structure before it is decoded: ImageSharp 2.1 decodes a truncated
/// JPEG, PNG, GIF, BMP, WebP, PBM, TGA or TIFF without complaint (the missing part comes out grey or black), so a
/// cut-off download would silently become a broken thumbnail. Also counts a GIF's frames, so that an
/// animation with too many is refused before any frame is decoded. The walk reads segment headers and
/// seeks over their bodies; only a JPEG's compressed data is scanned, for its next marker.
/// TGA and TIFF are decoded with blank pixels when cut off too, so their pixel data is checked as well.
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
                JpegStructure.Check(reader, path);
                return 1;
            case PngFormat:
                PngStructure.Check(reader, path);
                return 1;
            case GifFormat:
                return GifStructure.Check(reader, path, frameLimit);
            case BmpFormat:
                BmpStructure.Check(reader, path);
                return 1;
            case WebpFormat:
                WebpStructure.Check(reader, path);
                return 1;
            case TgaFormat:
                TgaStructure.Check(reader, path);
                return 1;
            case TiffFormat:
                TiffStructure.Check(stream, path, token);
                return 1;
            case PbmFormat:
                PbmStructure.Check(reader, path);
                return 1;
            default:
                return 1;
        }
    }
}
