using System;
using System.Collections.Generic;

namespace ParallelJobs.Engine;

/// <summary>
/// Runs batches of items on the calling worker thread, and nothing else: for each item it begins an
/// attempt through <see cref="RunContext.Begin"/> and ends it, or puts back the items it did not get to.
/// One runner belongs to one worker; a runner for script blocks owns a runspace, an operation needs none.
/// </summary>
internal interface IItemRunner : IDisposable
{
    /// <summary>Runs the batch on this worker's thread. Every item of it is ended or put back before this returns.</summary>
    void Run(IReadOnlyList<WorkItem> batch);

    /// <summary>Asks the running batch to stop as soon as it can (the run was stopped). Any thread; never blocks.</summary>
    void Stop();
}

/// <summary>Makes one runner per worker, on that worker's own thread.</summary>
internal interface IRunnerFactory
{
    IItemRunner Create(RunContext context);
}

/// <summary>
/// A factory whose workers cost little to start but something to ready (a warm worker process): the run starts this
/// many at once, before input arrives, instead of one per item as items come.
/// </summary>
internal interface IEagerRunnerFactory : IRunnerFactory
{
    /// <summary>How many workers to start at once, at most <paramref name="throttleLimit"/>.</summary>
    int EagerWorkers(int throttleLimit);
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

    /// <summary>Records and output of a running item that may be written before the item ends.</summary>
    void WritePart(LivePart part);
}
