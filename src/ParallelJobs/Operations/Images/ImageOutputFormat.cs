namespace ParallelJobs.Operations.Images;

/// <summary>The format Resize-Image writes: the source's own, or one chosen with -Format.</summary>
internal enum ImageOutputFormat
{
    Keep,
    Jpeg,
    Png,
    Webp,
    Gif,
    Bmp,
}
