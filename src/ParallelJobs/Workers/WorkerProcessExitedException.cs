using System;

namespace ParallelJobs.Workers;

/// <summary>The worker process ended (an exit, a crash, a kill) while it ran an item.</summary>
internal sealed class WorkerProcessExitedException : Exception
{
    public WorkerProcessExitedException(int processId, int? exitCode, Exception? inner)
        : base(exitCode is { } code
            ? $"The worker process (PID {processId}) exited with code {code} while it ran this item; a new process takes its place."
            : $"The worker process (PID {processId}) ended while it ran this item; a new process takes its place.", inner)
    {
        ExitCode = exitCode;
    }

    public int? ExitCode { get; }
}
