using System;

namespace ParallelJobs.Scripting;

/// <summary>A worker runspace could not be prepared; the run stops before any item starts on it.</summary>
internal sealed class WorkerSetupException : Exception
{
    public WorkerSetupException(string errorId, string message, Exception inner)
        : base(message, inner)
    {
        ErrorId = errorId;
    }

    public string ErrorId { get; }
}
