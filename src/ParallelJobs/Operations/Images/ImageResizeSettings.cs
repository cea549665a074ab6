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

    public bool Force { get; set; }

    /// <summary>The most pixels an image may have, all frames together.</summary>
    public long MaxPixels { get; set; } = 100_000_000;

    public int MaxFrames { get; set; } = 1000;

    /// <summary>The file a source is written to: its name, the suffix, and the output format's extension.</summary>
    public string DestinationFor(string source)
    {
        string folder = DestinationFolder ?? Path.GetDirectoryName(source) ?? string.Empty;
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

    public static bool SamePath(string a, string b) =>
        PathComparer.Equals(Path.GetFullPath(a).TrimEnd(Path.DirectorySeparatorChar), Path.GetFullPath(b).TrimEnd(Path.DirectorySeparatorChar));

    /// <summary>What the job log records as the run's identity: -Resume refuses a log written with other settings.</summary>
    public string Signature =>
        $"Resize-Image width={Width} height={Height} mode={Mode} format={Format} quality={Quality} suffix={Suffix} destination={DestinationFolder}";
}
