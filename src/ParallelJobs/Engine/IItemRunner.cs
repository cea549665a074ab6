using System;
using System.Collections.Generic;
using System.Threading;

namespace ParallelJobs.Engine;

/// <summary>
/// Runs batches of items on the calling worker thread. One runner belongs to one worker;
/// a runner for script blocks owns a runspace, a built-in operation needs none.
/// </summary>
internal interface IItemRunner : IDisposable
{
    /// <summary>Runs every item of the batch and hands each result to the sink as it finishes.</summary>
    void Run(IReadOnlyList<WorkItem> batch, IItemSink sink, CancellationToken token);
}

/// <summary>Makes one runner per worker, on that worker's own thread.</summary>
internal interface IRunnerFactory
{
    IItemRunner Create(int workerId, RunContext context);
}

/// <summary>What a runner reports to, from a worker thread. Never writes to the pipeline itself.</summary>
internal interface IItemSink
{
    void Complete(ItemResult result);

    /// <summary>A record to show at once rather than in order (progress).</summary>
    void Live(long index, StreamKind kind, object record);
}

/// <summary>Keeps a durable record of finished items (the -LogPath job log). Called from worker threads.</summary>
internal interface IResultLog
{
    void Append(ItemResult result);
}

/// <summary>What the run hands to the cmdlet, always on the pipeline thread.</summary>
internal interface IResultWriter
{
    void Write(ItemResult result);

    void WriteLive(LiveRecord record);
}
