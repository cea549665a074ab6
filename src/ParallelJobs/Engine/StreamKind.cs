namespace ParallelJobs.Engine;

internal enum StreamKind
{
    Error,
    Warning,
    Verbose,
    Debug,
    Information,
    Progress,
}
