using System;
using System.IO;
using System.Linq;
using System.Threading;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;

namespace ParallelJobs.Operations.Images;

/// <summary>
/// The mark Resize-Image leaves in every file it writes, so that -Force can tell its own earlier output
/// (which it may replace) from any other image (which may be a source that has not arrived yet, and is never
/// replaced). JPEG, PNG and WebP carry it as the EXIF Software tag, GIF as a comment, and BMP, which has no
/// metadata, in the two reserved words of its file header, which readers ignore.
/// </summary>
internal static class ImageMark
{
    public const string Software = "ParallelJobs Resize-Image";
    private static readonly byte[] _bmpMark = { (byte)'P', (byte)'J', (byte)'R', (byte)'I' };

    /// <summary>Marks the image's metadata before it is encoded.</summary>
    public static void Apply(Image image, ImageOutputFormat output)
    {
        ImageMetadata metadata = image.Metadata;
        if (output == ImageOutputFormat.Gif)
        {
            var comments = metadata.GetGifMetadata().Comments;
            if (!comments.Contains(Software))
            {
                comments.Add(Software);
            }

            return;
        }

        metadata.ExifProfile ??= new ExifProfile();
        metadata.ExifProfile.SetValue(ExifTag.Software, Software);
    }

    /// <summary>Marks an encoded BMP file in place (its reserved header words).</summary>
    public static void ApplyToBmp(FileStream written)
    {
        written.Position = 6;
        written.Write(_bmpMark, 0, _bmpMark.Length);
    }

    /// <summary>Whether an existing (regular) file is one Resize-Image wrote.</summary>
    public static bool IsMarked(string path, Configuration configuration, CancellationToken token)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var stream = new CancellableStream(file, token);
            var format = Image.DetectFormat(configuration, stream);
            stream.Position = 0;
            if (format is BmpFormat)
            {
                byte[] header = new byte[10];
                return stream.Read(header, 0, header.Length) == header.Length && header.Skip(6).SequenceEqual(_bmpMark);
            }

            IImageInfo? info = format is null ? null : Image.Identify(configuration, stream);
            if (info is null)
            {
                return false;
            }

            if (format is GifFormat)
            {
                return info.Metadata.GetGifMetadata().Comments.Contains(Software);
            }

            return info.Metadata.ExifProfile?.GetValue(ExifTag.Software)?.Value == Software;
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException))
        {
            // Unreadable as an image: it cannot be told apart from a damaged source, so it is kept.
            return false;
        }
    }

    /// <summary>Whether an existing (regular) file holds an image in a format Resize-Image reads.</summary>
    public static bool IsImage(string path, Configuration configuration)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return Image.DetectFormat(configuration, stream) is not null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Cannot be read, so cannot be ruled out as a source.
            return true;
        }
    }
}
