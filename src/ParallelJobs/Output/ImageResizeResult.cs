namespace ParallelJobs;

/// <summary>What Resize-Image wrote for one source image.</summary>
public sealed class ImageResizeResult
{
    internal ImageResizeResult(string source, string destination, int originalWidth, int originalHeight, int width, int height, long bytesBefore, long bytesAfter)
    {
        Source = source;
        Destination = destination;
        OriginalWidth = originalWidth;
        OriginalHeight = originalHeight;
        Width = width;
        Height = height;
        BytesBefore = bytesBefore;
        BytesAfter = bytesAfter;
    }

    /// <summary>The full path of the source image.</summary>
    public string Source { get; }

    /// <summary>The full path of the file written.</summary>
    public string Destination { get; }

    /// <summary>The source's width, upright (after its EXIF orientation is applied).</summary>
    public int OriginalWidth { get; }

    public int OriginalHeight { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The size of the source file.</summary>
    public long BytesBefore { get; }

    /// <summary>The size of the file written.</summary>
    public long BytesAfter { get; }

    public override string ToString() => Destination;
}
