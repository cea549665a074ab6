using ParallelJobs.Engine;

namespace ParallelJobs;

/// <summary>
/// The <c>$ParallelJob</c> variable inside an Invoke-ParallelJob item: lets a running item hand new items
/// back to the same run (like SplitPipeline's -Refill), for crawlers and tree walks. The run ends when no
/// item is running and none is queued.
/// </summary>
public sealed class ParallelJobContext
{
    private readonly RunContext _run;

    internal ParallelJobContext(RunContext run)
    {
        _run = run;
    }

    /// <summary>Queues <paramref name="input"/> as a new item of this run (a refill); returns its index.</summary>
    public long Add(object? input) => _run.Refill(input);

    /// <summary>How many items the run has numbered so far, refills included.</summary>
    public long Count => _run.Added;
}
