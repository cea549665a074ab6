using System;
using System.Collections;
using System.Collections.Concurrent;
using System.IO;
using System.Threading;
using ParallelJobs.Engine;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace ParallelJobs.Operations.Images;

/// <summary>
/// Resize-Image's work for one file, on a worker thread: check the header and the file's structure,
/// decode, orient, resize, encode to a temporary file beside the destination, and rename it into place.
/// One instance serves every worker; it holds only settings, encoders and the set of sources.
/// Made through <see cref="ImageSharpLoader"/> (by reflection, in the image load context), and used only
/// through <see cref="IImageResizer"/>, a type of ParallelJobs.dll.
/// </summary>
internal sealed class ImageResizer : IImageResizer
{
    private readonly ImageResizeSettings _settings;
    private readonly Configuration _configuration;
    private readonly ConcurrentDictionary<string, byte> _sources = new(ImageResizeSettings.PathComparer);
    private readonly ConcurrentDictionary<string, string> _claims = new(ImageResizeSettings.PathComparer);
    private readonly JpegEncoder _jpegEncoder;
    private readonly WebpEncoder _webpEncoder;
    private readonly ImageMemoryBudget _budget;

    public ImageResizer(ImageResizeSettings settings)
    {
        _settings = settings;
        _configuration = ImageConfiguration.Shared;
        _jpegEncoder = new JpegEncoder { Quality = settings.Quality };
        _webpEncoder = new WebpEncoder();
        _budget = new ImageMemoryBudget(settings.MaxMemoryBytes);
        if (settings.Quality is { } quality)
        {
            _webpEncoder.Quality = quality;
        }
    }

    /// <summary>
    /// Pipeline thread: remembers a source of this run as soon as it arrives, by its path, its real path
    /// (through links) and its directory entry, so that no item writes over it; and claims its destination,
    /// so that a later source with the same destination fails instead of overwriting the first one's output.
    /// </summary>
    public void AddSource(string path)
    {
        string full = Path.GetFullPath(path);
        _sources.TryAdd(full, 0);
        _sources.TryAdd(FileSystemNative.EntryPath(full), 0);
        if (FileSystemNative.RealPath(full) is { } real)
        {
            _sources.TryAdd(real, 0);
        }

        _claims.TryAdd(FileSystemNative.EntryPath(_settings.DestinationFor(full)), full);
    }

    public IList? Execute(WorkItem item, ItemContext context, CancellationToken token)
    {
        string source = (string)item.Input!;
        string destination = _settings.DestinationFor(source);
        string entry = FileSystemNative.EntryPath(destination);
        CheckNotSource(source, destination, entry);
        if (_claims.TryGetValue(entry, out string? first) && !ImageResizeSettings.SamePath(first, source))
        {
            throw ImageErrors.DestinationCollision(source, destination, first);
        }

        // Two file times, and nothing decoded: what makes a re-run over an unchanged folder cost seconds.
        if (_settings.SkipUpToDate && UpToDate(source, destination) is { } skipped)
        {
            return new object[] { skipped };
        }

        if (!_settings.Force && !_settings.SkipUpToDate && Exists(destination))
        {
            throw ImageErrors.DestinationExists(source, destination);
        }

        long bytesBefore;
        IImageFormat sourceFormat;
        Image image;
        IDisposable reservation;
        using (FileStream file = OpenSource(source))
        using (var input = new CancellableStream(file, token))
        {
            bytesBefore = file.Length;
            image = Decode(input, source, out sourceFormat, out reservation, token);
        }

        using (reservation)
        using (image)
        {
            token.ThrowIfCancellationRequested();
            // Rotates the pixels upright and sets the EXIF orientation to 1, so no viewer turns them again.
            image.Mutate(x => x.AutoOrient());
            int originalWidth = image.Width;
            int originalHeight = image.Height;
            ImageOutputFormat output = OutputFormat(sourceFormat);
            Image resized = Resize(image, output, source, out bool notEnlarged);
            using (resized == image ? null : resized)
            {
                token.ThrowIfCancellationRequested();
                ImageMetadataPolicy.Apply(resized, _settings.StripMetadata);
                ImageMark.Apply(resized, output);
                long bytesAfter = Write(resized, EncoderFor(output, sourceFormat, source), source, destination, token);
                ImageResizeAction action = notEnlarged ? ImageResizeAction.NotEnlarged
                    : resized.Width == originalWidth && resized.Height == originalHeight ? ImageResizeAction.Converted
                    : ImageResizeAction.Resized;
                return new object[] { new ImageResizeResult(action, source, destination, originalWidth, originalHeight, resized.Width, resized.Height, bytesBefore, bytesAfter) };
            }
        }
    }

    /// <summary>Refuses a destination that is, or is reached through a link as, a source known so far.</summary>
    private void CheckNotSource(string source, string destination, string? entry = null)
    {
        if (ImageResizeSettings.SamePath(source, destination)
            || _sources.ContainsKey(Path.GetFullPath(destination))
            || _sources.ContainsKey(entry ?? FileSystemNative.EntryPath(destination))
            || (FileSystemNative.RealPath(destination) is { } real && _sources.ContainsKey(real)))
        {
            throw ImageErrors.DestinationIsSource(source, destination);
        }
    }

    /// <summary>
    /// -SkipUpToDate's test: the destination is a file last written no earlier than the source. Only the
    /// times are compared, not the settings the destination was made with (change those with -Force).
    /// </summary>
    private static ImageResizeResult? UpToDate(string source, string destination)
    {
        var target = new FileInfo(destination);
        if (!target.Exists)
        {
            return null;
        }

        var original = new FileInfo(source);
        if (!original.Exists || target.LastWriteTimeUtc < original.LastWriteTimeUtc)
        {
            return null;
        }

        return new ImageResizeResult(ImageResizeAction.SkippedUpToDate, source, destination, 0, 0, 0, 0, original.Length, target.Length);
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path) || FileSystemNative.Kind(path) != FileKind.Missing;

    private static FileStream OpenSource(string source)
    {
        // Only a regular file is opened: opening a FIFO waits for a writer, for ever, whatever the timeout.
        switch (FileSystemNative.Kind(source))
        {
            case FileKind.Directory:
                throw ImageErrors.SourceIsFolder(source);
            case FileKind.Special:
                throw ImageErrors.SourceNotRegular(source);
        }

        try
        {
            return new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);
        }
        catch (Exception) when (Directory.Exists(source))
        {
            throw ImageErrors.SourceIsFolder(source);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw ImageErrors.SourceNotFound(source);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw ImageErrors.SourceUnreadable(source, ex);
        }
    }

    /// <summary>Reads the header, refuses what is too large or cut short, and only then decodes.</summary>
    private Image Decode(Stream input, string source, out IImageFormat format, out IDisposable reservation, CancellationToken token)
    {
        try
        {
            format = Image.DetectFormat(_configuration, input) ?? throw ImageErrors.NotAnImage(source);
        }
        catch (IOException ex)
        {
            throw ImageErrors.SourceUnreadable(source, ex);
        }

        // Before Identify, which already inflates a PNG's text and profile chunks whole.
        if (format is PngFormat)
        {
            PngMetadata.Check(input, source, token);
        }

        bool allFrames = OutputFormat(format) == ImageOutputFormat.Gif;
        IImageDecoder decoder = DecoderFor(format, allFrames);
        IImageInfo? info;
        try
        {
            input.Position = 0;
            info = (decoder as IImageInfoDetector)?.Identify(_configuration, input, token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ItemOperationException)
        {
            throw ImageErrors.Invalid(source, format.Name, ImageErrors.DecoderDetail(ex), ex);
        }

        if (info is null || info.Width <= 0 || info.Height <= 0)
        {
            throw ImageErrors.Invalid(source, format.Name, "its header gives no size.");
        }

        long pixels = (long)info.Width * info.Height;
        if (pixels > _settings.MaxPixels)
        {
            throw ImageErrors.TooLarge(source, $"its header says it is {info.Width} x {info.Height} pixels ({Megapixels(pixels)}), more than -MaxPixels {_settings.MaxPixels}.");
        }

        int frames = ImageStructure.Check(input, format, source, _settings.MaxFrames, token);
        if (allFrames)
        {
            CheckFrames(source, frames, info.Width, info.Height);
        }

        long cost = DecodeCost(info, allFrames ? Math.Max(1, frames) : 1);
        if (cost > _budget.Bytes)
        {
            throw ImageErrors.TooLarge(source, $"decoding and resizing its {info.Width} x {info.Height} pixels{(info.PixelType?.BitsPerPixel > 32 ? $" of {info.PixelType.BitsPerPixel} bits" : string.Empty)} takes about {Mebibytes(cost)} MB, more than -MaxMemoryMB {_budget.Bytes / (1024 * 1024)}.");
        }

        // Large images wait here for each other's memory rather than being decoded together.
        reservation = _budget.Reserve(cost, token);
        Image image;
        try
        {
            input.Position = 0;
            image = decoder.Decode(_configuration, input, token);
        }
        catch (InvalidMemoryOperationException ex)
        {
            reservation.Dispose();
            throw ImageErrors.TooLarge(source, ex.Message, ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ItemOperationException)
        {
            reservation.Dispose();
            throw ImageErrors.Invalid(source, format.Name, ImageErrors.DecoderDetail(ex), ex);
        }
        catch
        {
            reservation.Dispose();
            throw;
        }

        // What was decoded must agree with what the header promised before the memory was spent.
        if ((long)image.Width * image.Height > _settings.MaxPixels || (allFrames && image.Frames.Count > _settings.MaxFrames))
        {
            string detail = $"it decoded to {image.Width} x {image.Height} pixels in {image.Frames.Count} frames, more than its header said.";
            image.Dispose();
            reservation.Dispose();
            throw ImageErrors.TooLarge(source, detail);
        }

        return image;
    }

    private void CheckFrames(string source, int frames, int width, int height)
    {
        if (frames > _settings.MaxFrames)
        {
            throw ImageErrors.TooLarge(source, $"it has more than {_settings.MaxFrames} frames (-MaxFrames).");
        }

        long total = (long)width * height * frames;
        if (total > _settings.MaxPixels)
        {
            throw ImageErrors.TooLarge(source, $"its {frames} frames of {width} x {height} pixels make {Megapixels(total)}, more than -MaxPixels {_settings.MaxPixels}.");
        }
    }

    /// <summary>
    /// The memory an image is estimated to take while it is worked on, from its header: the decoded pixels
    /// (4 bytes each, 8 for more than 32 bits a pixel, as a 16-bit PNG decodes) and the resized copy.
    /// </summary>
    private long DecodeCost(IImageInfo info, int frames)
    {
        long bytesPerPixel = info.PixelType?.BitsPerPixel > 32 ? 8 : 4;
        (int width, int height, _) = TargetSize(info.Width, info.Height);
        return ((long)info.Width * info.Height + (long)width * height) * frames * bytesPerPixel;
    }

    private static string Mebibytes(long bytes) => ((bytes + (1024 * 1024) - 1) / (1024 * 1024)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Megapixels(long pixels) => $"{pixels / 1_000_000.0:0.#} megapixels";

    private IImageDecoder DecoderFor(IImageFormat format, bool allFrames) => format switch
    {
        // Only a GIF written as a GIF keeps its animation; anything else needs the first frame alone.
        GifFormat => new GifDecoder
        {
            DecodingMode = allFrames ? FrameDecodingMode.All : FrameDecodingMode.First,
            MaxFrames = (uint)_settings.MaxFrames,
        },
        TiffFormat => new TiffDecoder { DecodingMode = FrameDecodingMode.First },
        _ => _configuration.ImageFormatsManager.FindDecoder(format),
    };

    private ImageOutputFormat OutputFormat(IImageFormat source) => _settings.Format != ImageOutputFormat.Keep
        ? _settings.Format
        : source switch
        {
            JpegFormat => ImageOutputFormat.Jpeg,
            PngFormat => ImageOutputFormat.Png,
            WebpFormat => ImageOutputFormat.Webp,
            GifFormat => ImageOutputFormat.Gif,
            BmpFormat => ImageOutputFormat.Bmp,
            _ => ImageOutputFormat.Keep,
        };

    private IImageEncoder EncoderFor(ImageOutputFormat output, IImageFormat source, string path) => output switch
    {
        ImageOutputFormat.Jpeg => _jpegEncoder,
        ImageOutputFormat.Webp => _webpEncoder,
        ImageOutputFormat.Png => new PngEncoder(),
        ImageOutputFormat.Gif => new GifEncoder(),
        ImageOutputFormat.Bmp => new BmpEncoder(),
        _ => _configuration.ImageFormatsManager.FindEncoder(source)
            ?? throw ImageErrors.Invalid(path, source.Name, "there is no encoder to write this format back; give -Format."),
    };

    /// <summary>
    /// Resizes in place, or into a new image when padding needs an alpha channel the source lacks.
    /// Formats without transparency get a white background instead of black.
    /// </summary>
    private Image Resize(Image image, ImageOutputFormat output, string source, out bool notEnlarged)
    {
        if (output != ImageOutputFormat.Gif)
        {
            while (image.Frames.Count > 1)
            {
                image.Frames.RemoveFrame(image.Frames.Count - 1);
            }
        }

        (int width, int height, notEnlarged) = TargetSize(image.Width, image.Height);
        long pixels = (long)width * height * image.Frames.Count;
        if (pixels > _settings.MaxPixels)
        {
            throw ImageErrors.TooLarge(source, $"the resized image would have {width} x {height} pixels{(image.Frames.Count > 1 ? $" in {image.Frames.Count} frames" : string.Empty)} ({Megapixels(pixels)}), more than -MaxPixels {_settings.MaxPixels}.");
        }

        bool opaqueOutput = output is ImageOutputFormat.Jpeg or ImageOutputFormat.Bmp;
        bool hasAlpha = HasAlpha(image);
        Image target = image;
        if (_settings.Mode == ImageFitMode.Pad && !opaqueOutput && !hasAlpha)
        {
            target = image.CloneAs<Rgba32>();
            hasAlpha = true;
        }

        bool resize = width != image.Width || height != image.Height;
        if (!resize && !(opaqueOutput && hasAlpha))
        {
            return target;
        }

        bool notEnlargedPad = notEnlarged && _settings.Mode == ImageFitMode.Pad;
        try
        {
            target.Mutate(x =>
            {
                if (resize)
                {
                    x.Resize(new ResizeOptions
                    {
                        Size = new Size(width, height),
                        Mode = _settings.Mode switch
                        {
                            ImageFitMode.Crop => ResizeMode.Crop,
                            // BoxPad centres a smaller image in the box unscaled, and shrinks a larger one as Pad does.
                            ImageFitMode.Pad => notEnlargedPad ? ResizeMode.BoxPad : ResizeMode.Pad,
                            _ => ResizeMode.Stretch,
                        },
                        Position = AnchorPositionMode.Center,
                        PadColor = opaqueOutput ? Color.White : Color.Transparent,
                    });
                }

                if (opaqueOutput && hasAlpha)
                {
                    x.BackgroundColor(Color.White);
                }
            });
        }
        catch
        {
            if (target != image)
            {
                target.Dispose();
            }

            throw;
        }

        return target;
    }

    /// <summary>
    /// Whether the decoded pixels can be transparent. A decoded image's PixelType does not say, so this
    /// goes by the pixel types ImageSharp's decoders use for opaque images; anything else counts as
    /// transparent, which at worst costs a needless pass over the (already resized) image.
    /// </summary>
    private static bool HasAlpha(Image image) =>
        image is not (Image<Rgb24> or Image<Bgr24> or Image<L8> or Image<L16> or Image<Rgb48>);

    /// <summary>
    /// The output size: Max keeps the aspect ratio inside the box; the other modes fill it exactly. Without
    /// -AllowEnlarge the scale never goes above 1: Max and Stretch keep a smaller side as it is, Crop cuts the
    /// unscaled picture to at most the box, and Pad centres it unscaled in the box. NotEnlarged says that this
    /// limit changed the outcome.
    /// </summary>
    private (int Width, int Height, bool NotEnlarged) TargetSize(int width, int height)
    {
        int wanted = _settings.Width;
        int wantedHeight = _settings.Height;
        bool enlarge = _settings.AllowEnlarge;
        switch (_settings.Mode)
        {
            case ImageFitMode.Crop:
            case ImageFitMode.Stretch:
                // Crop scales by the larger ratio: with both sides capped at the source's, that ratio is at most 1.
                return enlarge || (wanted <= width && wantedHeight <= height)
                    ? (wanted, wantedHeight, false)
                    : (Math.Min(wanted, width), Math.Min(wantedHeight, height), true);
            case ImageFitMode.Pad:
                return (wanted, wantedHeight, !enlarge && wanted > width && wantedHeight > height);
        }

        if (wanted == 0 && wantedHeight == 0)
        {
            return (width, height, false);
        }

        double scale = wanted == 0 ? (double)wantedHeight / height
            : wantedHeight == 0 ? (double)wanted / width
            : Math.Min((double)wanted / width, (double)wantedHeight / height);
        if (scale > 1 && !enlarge)
        {
            return (width, height, true);
        }

        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)), false);
    }

    /// <summary>Encodes into a temporary file beside the destination, then renames it into place, so no reader ever sees half a file.</summary>
    private long Write(Image image, IImageEncoder encoder, string source, string destination, CancellationToken token)
    {
        string folder = Path.GetDirectoryName(destination)!;
        string? temp = null;
        try
        {
            Directory.CreateDirectory(folder);
            temp = Path.Combine(folder, $".{Path.GetFileName(destination)}.{Guid.NewGuid().ToString("N").Substring(0, 12)}.tmp");
            long length;
            using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024))
            {
                using (var guarded = new CancellableStream(output, token))
                {
                    image.Save(guarded, encoder);
                }

                length = output.Length;
                if (encoder is BmpEncoder)
                {
                    ImageMark.ApplyToBmp(output);
                }
            }

            token.ThrowIfCancellationRequested();
            Publish(temp, source, destination, token);
            temp = null;
            return length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw ImageErrors.WriteFailed(source, destination, ex);
        }
        finally
        {
            if (temp is not null)
            {
                TryDelete(temp);
            }
        }
    }

    private void Publish(string temp, string source, string destination, CancellationToken token)
    {
        // Sources that arrived while this one was being worked on count too.
        CheckNotSource(source, destination);
        if (Exists(destination))
        {
            Replace(temp, source, destination, token);
            return;
        }

        try
        {
            // Fails if another writer created the destination meanwhile: that is checked next.
            File.Move(temp, destination);
        }
        catch (IOException) when (Exists(destination))
        {
            Replace(temp, source, destination, token);
        }
    }

    /// <summary>
    /// -Force replaces an existing file only when it cannot be a source: a file that is not an image, or an
    /// image Resize-Image wrote (it carries <see cref="ImageMark"/>). Any other image may be a source that
    /// has not arrived yet (a.png, while a.jpg is written as a.png), so it is never replaced.
    /// </summary>
    private void Replace(string temp, string source, string destination, CancellationToken token)
    {
        // -SkipUpToDate replaces an out-of-date output as -Force does, with the same protection of other images.
        if (!_settings.Force && !_settings.SkipUpToDate)
        {
            throw ImageErrors.DestinationExists(source, destination);
        }

        FileKind kind = FileSystemNative.Kind(destination);
        if (kind is FileKind.Directory or FileKind.Special
            || (kind == FileKind.Regular && ImageMark.IsImage(destination, _configuration) && !ImageMark.IsMarked(destination, _configuration, token)))
        {
            throw ImageErrors.DestinationProtected(source, destination);
        }

        File.Replace(temp, destination, null, ignoreMetadataErrors: true);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: the write already failed with the error that matters.
        }
    }
}
