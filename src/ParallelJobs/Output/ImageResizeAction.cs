namespace ParallelJobs;

/// <summary>What Resize-Image did with one source image (<see cref="ImageResizeResult.Action"/>).</summary>
public enum ImageResizeAction
{
    /// <summary>Written at a new size.</summary>
    Resized,

    /// <summary>Written at its own size: it already fits the box, and -AllowEnlarge was not given.</summary>
    NotEnlarged,

    /// <summary>Written at its own size because no other size was asked for (or it is the size asked for): a format conversion or re-encode.</summary>
    Converted,

    /// <summary>Not read nor written: -SkipUpToDate found a destination newer than the source.</summary>
    SkippedUpToDate,
}
