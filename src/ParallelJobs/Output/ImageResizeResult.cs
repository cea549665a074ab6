namespace ParallelJobs;

/// <summary>What Resize-Image wrote for one source image.</summary>
public sealed class ImageResizeResult
{
    internal ImageResizeResult(ImageResizeAction action, string source, string destination, int originalWidth, int originalHeight, int width, int height, long bytesBefore, long bytesAfter)
    {
        Action = action;
        Source = source;
        Destination = destination;
        OriginalWidth = originalWidth;
        OriginalHeight = originalHeight;
        Width = width;
        Height = height;
        BytesBefore = bytesBefore;
        BytesAfter = bytesAfter;
    }

    /// <summary>What was done: Resized, NotEnlarged, Converted or SkippedUpToDate.</summary>
    public ImageResizeAction Action { get; }

    /// <summary>The full path of the source image.</summary>
    public string Source { get; }

    /// <summary>The full path of the file written (or, when skipped, of the existing output).</summary>
    public string Destination { get; }

    /// <summary>The source's width, upright (after its EXIF orientation is applied); 0 when skipped, as the image is not read.</summary>
    public int OriginalWidth { get; }

    /// <summary>The source's upright height; 0 when skipped.</summary>
    public int OriginalHeight { get; }

    /// <summary>The width written; 0 when skipped.</summary>
    public int Width { get; }

    /// <summary>The height written; 0 when skipped.</summary>
    public int Height { get; }

    /// <summary>The size of the source file.</summary>
    public long BytesBefore { get; }

    /// <summary>The size of the file written (when skipped, of the existing output).</summary>
    public long BytesAfter { get; }

    public override string ToString() => Destination;
}
