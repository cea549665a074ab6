using System;
using System.IO;
using System.Runtime.InteropServices;

namespace ParallelJobs.Operations.Images;

/// <summary>What one Resize-Image call asked for; fixed before the first item runs, read by every worker.</summary>
internal sealed class ImageResizeSettings
{
    /// <summary>Paths are told apart as the platform's usual file system does: by case on Linux only.</summary>
    public static readonly StringComparer PathComparer =
        RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;

    /// <summary>Target width in pixels; 0 when not given.</summary>
    public int Width { get; set; }

    /// <summary>Target height in pixels; 0 when not given.</summary>
    public int Height { get; set; }

    public ImageFitMode Mode { get; set; } = ImageFitMode.Max;

    public ImageOutputFormat Format { get; set; } = ImageOutputFormat.Keep;

    /// <summary>JPEG and WebP quality, 1-100; null keeps the encoder's default (75).</summary>
    public int? Quality { get; set; }

    public string Suffix { get; set; } = string.Empty;

    /// <summary>The folder to write to, as a full path; null writes beside each source.</summary>
    public string? DestinationFolder { get; set; }

    /// <summary>
    /// With a destination folder: the folder whose structure is kept below it (a source in root/a/b.jpg is
    /// written to destination/a/b.jpg). A source outside it is written directly in the destination folder.
    /// </summary>
    public string? Root { get; set; }

    public bool Force { get; set; }

    /// <summary>-AllowEnlarge: an image smaller than the box is scaled up to it; otherwise the scale never exceeds 1.</summary>
    public bool AllowEnlarge { get; set; }

    /// <summary>-StripMetadata: EXIF, IPTC, XMP and text chunks are dropped; the ICC profile is kept.</summary>
    public bool StripMetadata { get; set; }

    /// <summary>-SkipUpToDate: a destination at least as new as its source is left alone, and an older one replaced.</summary>
    public bool SkipUpToDate { get; set; }

    /// <summary>The most pixels an image may have, all frames together.</summary>
    public long MaxPixels { get; set; } = 100_000_000;

    public int MaxFrames { get; set; } = 1000;

    /// <summary>-MaxMemoryMB in bytes: the pixel memory the run's workers may decode at once.</summary>
    public long MaxMemoryBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>The file a source is written to: its name, the suffix, and the output format's extension.</summary>
    public string DestinationFor(string source)
    {
        string folder = DestinationFolder is null ? Path.GetDirectoryName(source) ?? string.Empty
            : Root is not null && RelativeFolder(source, Root) is { } relative ? Path.Combine(DestinationFolder, relative)
            : DestinationFolder;
        string extension = Format switch
        {
            ImageOutputFormat.Jpeg => ".jpg",
            ImageOutputFormat.Png => ".png",
            ImageOutputFormat.Webp => ".webp",
            ImageOutputFormat.Gif => ".gif",
            ImageOutputFormat.Bmp => ".bmp",
            _ => Path.GetExtension(source),
        };
        return Path.Combine(folder, Path.GetFileNameWithoutExtension(source) + Suffix + extension);
    }

    /// <summary>The folder of <paramref name="source"/> relative to <paramref name="root"/>, or null when it is not below it.</summary>
    public static string? RelativeFolder(string source, string root)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(source)) ?? string.Empty;
        string prefix = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        if (PathComparer.Equals(folder.TrimEnd(Path.DirectorySeparatorChar), prefix))
        {
            return string.Empty;
        }

        prefix += Path.DirectorySeparatorChar;
        return folder.StartsWith(prefix, PathComparer == StringComparer.Ordinal ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase)
            ? folder.Substring(prefix.Length)
            : null;
    }

    public static bool SamePath(string a, string b) =>
        PathComparer.Equals(Path.GetFullPath(a).TrimEnd(Path.DirectorySeparatorChar), Path.GetFullPath(b).TrimEnd(Path.DirectorySeparatorChar));

    /// <summary>What the job log records as the run's identity: -Resume refuses a log written with other settings.</summary>
    public string Signature =>
        $"Resize-Image width={Width} height={Height} mode={Mode} format={Format} quality={Quality} suffix={Suffix} destination={DestinationFolder}{(RootGiven ? $" root={Root}" : string.Empty)}"
        + (AllowEnlarge ? " enlarge" : string.Empty) + (StripMetadata ? " strip" : string.Empty);

    /// <summary>True when -Root was given (the default root is found from the input, after the log is opened).</summary>
    public bool RootGiven { get; set; }
}
