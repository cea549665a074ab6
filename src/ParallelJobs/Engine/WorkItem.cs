namespace ParallelJobs.Engine;

/// <summary>One unit of work: the input at a position in the stream, and what to run on it.</summary>
internal sealed class WorkItem
{
    public WorkItem(long index, object? input, object? task = null)
    {
        Index = index;
        Input = input;
        Task = task;
    }

    /// <summary>Position in the input; output is released in this order.</summary>
    public long Index { get; }

    public object? Input { get; }

    /// <summary>What to run for this item only (a heterogeneous call); null runs the run's default.</summary>
    public object? Task { get; }

    /// <summary>The item's identity in the job log: -Key's value, or the index.</summary>
    public string? Key { get; set; }

    /// <summary>How many times the item has been started, counting retries.</summary>
    public int Attempts { get; set; }

    /// <summary>How many times the worker under the item was lost (a broken remote session).</summary>
    public int WorkerLosses { get; set; }

    /// <summary>A retried item waits in the queue until this time (UTC).</summary>
    public System.DateTime NotBefore { get; set; }
}
