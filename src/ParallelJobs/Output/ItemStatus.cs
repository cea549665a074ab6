namespace ParallelJobs;

/// <summary>How one item of a parallel run ended.</summary>
public enum ItemStatus
{
    Completed,
    Failed,
    TimedOut,
    Skipped,
}
