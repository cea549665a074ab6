using System;
using System.Threading;

namespace ParallelJobs.Engine;

/// <summary>
/// The thread a run belongs to: the pipeline thread that first feeds it. Methods that write to the
/// pipeline or touch the pump's unshared state check it, as ForEach-Object -Parallel's CheckCmdletThread does.
/// </summary>
internal sealed class PipelineThread
{
    private int _id;

    /// <summary>-AsJob: from now on the job's thread owns the run.</summary>
    public void Adopt() => Volatile.Write(ref _id, Environment.CurrentManagedThreadId);

    public void Check()
    {
        int current = Environment.CurrentManagedThreadId;
        int owner = Volatile.Read(ref _id);
        if (owner == current || (owner == 0 && Interlocked.CompareExchange(ref _id, current, 0) == 0))
        {
            return;
        }

        throw new InvalidOperationException("ParallelJobs: a pipeline-thread method was called from another thread.");
    }
}
