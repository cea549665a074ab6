namespace ParallelJobs.Operations.Images;

/// <summary>How an image is fitted to -Width and -Height.</summary>
internal enum ImageFitMode
{
    /// <summary>As large as fits inside the box, keeping the aspect ratio.</summary>
    Max,

    /// <summary>Fills the box exactly, keeping the aspect ratio and cutting off the overflow around the centre.</summary>
    Crop,

    /// <summary>Fits inside the box, keeping the aspect ratio, and pads the rest with transparency.</summary>
    Pad,

    /// <summary>Fills the box exactly, distorting the aspect ratio.</summary>
    Stretch,
}
