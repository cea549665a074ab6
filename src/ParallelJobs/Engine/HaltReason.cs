namespace ParallelJobs.Engine;

/// <summary>Why a run stopped starting new items before its input ran out.</summary>
internal enum HaltReason
{
    None,
    FirstError,
    MaxFailures,
}
