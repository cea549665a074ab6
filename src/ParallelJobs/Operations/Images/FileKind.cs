namespace ParallelJobs.Operations.Images;

/// <summary>What a path names, as far as opening it safely goes.</summary>
internal enum FileKind
{
    Missing,
    Regular,
    Directory,

    /// <summary>A FIFO, socket or device: opening it can block for ever, so it is never opened.</summary>
    Special,
}
