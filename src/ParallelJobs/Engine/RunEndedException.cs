using System;

namespace ParallelJobs.Engine;

/// <summary>
/// Thrown on the pipeline thread, out of ParallelRun's Add and InputEnded, when the run ended before its
/// input did (timed out, stopped, halted, a worker or the log failed), so that reading input stops there.
/// </summary>
internal sealed class RunEndedException : Exception
{
    public RunEndedException(RunOutcome outcome)
        : base($"The run ended: {outcome.End}.", outcome.Exception)
    {
        Outcome = outcome;
    }

    public RunOutcome Outcome { get; }
}
