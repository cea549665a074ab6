namespace ParallelJobs.Engine;

/// <summary>Every error id the module raises, in one place (TEMPORARY: merged with the full catalogue).</summary>
internal static class ErrorIds
{
    public const string ItemTimedOut = "ItemTimedOut";
    public const string ItemFailed = "ItemFailed";
    public const string WorkerFailed = "WorkerFailed";
    public const string RemoteSessionLost = "RemoteSessionLost";
    public const string RunTimedOut = "RunTimedOut";
    public const string MaxFailuresExceeded = "MaxFailuresExceeded";
    public const string StoppedAtFirstFailure = "StoppedAtFirstFailure";
    public const string AllHostsLost = "AllHostsLost";
    public const string LogFailed = "LogFailed";
}
