using System;

namespace ParallelJobs.Engine;

/// <summary>How a run ended, with its counts: the one thing a finished run hands back to its cmdlet.</summary>
internal sealed class RunOutcome
{
    public RunOutcome(RunEnd end, Exception? exception = null, string? detail = null)
    {
        End = end;
        Exception = exception;
        Detail = detail;
    }

    public RunEnd End { get; }

    /// <summary>The failure behind <see cref="RunEnd.SetupFailed"/> and <see cref="RunEnd.LogFailed"/>.</summary>
    public Exception? Exception { get; }

    /// <summary>What the runner that lost its workers said about them (<see cref="RunEnd.AllWorkersLost"/>).</summary>
    public string? Detail { get; }

    /// <summary>Items that ended, failed or not, retries not counted.</summary>
    public int Finished { get; internal set; }

    public int Failed { get; internal set; }

    /// <summary>Items that were read but never started because the run ended first.</summary>
    public int Skipped { get; internal set; }
}
