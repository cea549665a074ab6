using System;

namespace ParallelJobs.Engine;

/// <summary>A failure of the run itself (a worker could not start), as opposed to one item's failure.</summary>
internal sealed class RunFault
{
    public RunFault(Exception exception)
    {
        Exception = exception;
    }

    public Exception Exception { get; }
}
