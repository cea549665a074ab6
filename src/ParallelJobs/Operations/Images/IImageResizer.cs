namespace ParallelJobs.Operations.Images;

/// <summary>
/// What ParallelJobs.dll knows of Resize-Image's ImageSharp code, which lives in ParallelJobs.Images.dll and
/// is loaded by <see cref="ImageSharpLoader"/>: the module's own code never names an ImageSharp type, so
/// it never binds to whatever ImageSharp another module put into PowerShell's load context.
/// </summary>
internal interface IImageResizer : IItemOperation
{
    /// <summary>Pipeline thread: remembers a source of this run and claims its destination.</summary>
    void AddSource(string path);
}
