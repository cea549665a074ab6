using System;

namespace ParallelJobs.Engine;

/// <summary>
/// Thrown by a runner (or its factory) whose worker has nothing left to work with, such as a remote slot
/// whose host is gone and no other slot is free. The worker exits quietly; the run goes on with the others.
/// The runner must have put back (WorkQueue.Requeue) every item of its batch it did not finish.
/// </summary>
internal sealed class RunnerRetiredException : Exception
{
    public RunnerRetiredException(string message)
        : base(message)
    {
    }
}
