namespace ParallelJobs.Engine;

/// <summary>Why a run ended. Each cmdlet maps it to its error record in one place (ParallelCommandBase.Conclude).</summary>
internal enum RunEnd
{
    /// <summary>Every item was run (some may have failed).</summary>
    Completed,

    /// <summary>Ctrl+C, Stop-Job, or a downstream command that wanted no more (Select-Object -First).</summary>
    Stopped,

    /// <summary>-TimeoutSeconds passed.</summary>
    RunTimedOut,

    /// <summary>-ErrorAction Stop: an item failed, so nothing new started.</summary>
    FirstError,

    /// <summary>-MaxFailures was reached, so nothing new started.</summary>
    FailureLimitReached,

    /// <summary>Every worker was lost (all remote hosts gone) while items were left.</summary>
    AllWorkersLost,

    /// <summary>A worker could not be set up (a module, the initialization script).</summary>
    SetupFailed,

    /// <summary>The job log could not be written.</summary>
    LogFailed,
}
