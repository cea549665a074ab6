using System;
using System.Threading;
using ParallelJobs.Engine;
using ParallelJobs.Scripting;

namespace ParallelJobs.Workers;

/// <summary>Makes -UseProcess runners and hands them worker processes: warm ones from the pool, else new ones.</summary>
internal sealed class ProcessRunnerFactory : IEagerRunnerFactory
{
    public ProcessRunnerFactory(ScriptConfig config, int maxItemsPerWorker, double maxWorkerMemoryMB)
    {
        Config = config;
        MaxItemsPerWorker = maxItemsPerWorker;
        MaxWorkerMemoryMB = maxWorkerMemoryMB;
    }

    /// <summary>How long a process may take to answer the reset after a call before it is ended instead of reused.</summary>
    private static readonly TimeSpan ResetWait = TimeSpan.FromSeconds(2);

    public ScriptConfig Config { get; }

    /// <summary>-MaxItemsPerWorker: a process is replaced after this many items; 0 for never.</summary>
    public int MaxItemsPerWorker { get; }

    /// <summary>-MaxWorkerMemoryMB: a process whose working set passed this is replaced between items; 0 for never.</summary>
    public double MaxWorkerMemoryMB { get; }

    /// <summary>One per warm process waiting in the pool for this configuration: those start at once, new ones as items come.</summary>
    public int EagerWorkers(int throttleLimit) => Math.Min(throttleLimit, ProcessPool.CountIdle(Config.PoolKey));

    public IItemRunner Create(RunContext context)
    {
        var runner = new ProcessRunner(this, context);
        runner.Attach();
        return runner;
    }

    /// <summary>
    /// A worker process for this run's configuration: a warm one from the pool, else a new one. The run's variables and
    /// functions are set by the first message of the runner's pipeline (<see cref="ServePipe"/>), not here.
    /// </summary>
    internal ProcessWorker Acquire(CancellationToken token)
    {
        if (ProcessPool.TryTake(Config.PoolKey, token) is { } pooled)
        {
            return pooled;
        }

        // Not cut short by the run's end: a process still starting when the items ran out (a wide
        // -ThrottleLimit) goes on starting and waits in the pool for the next call, instead of being killed.
        // A stop still returns at once: the engine leaves this thread after its grace.
        ProcessWorker worker = ProcessWorker.Start(Config, CancellationToken.None);
        if (token.IsCancellationRequested)
        {
            worker.LastUsed = DateTime.Now;
            ProcessPool.Return(worker);
            throw new OperationCanceledException(token);
        }

        return worker;
    }

    /// <summary>
    /// A runner is done with <paramref name="worker"/>: reset into the pool, or ended. With its serve pipeline
    /// (<paramref name="pipe"/>, still running) the reset is a message whose answer shelves the process; without one it
    /// is a call of its own, on a thread of its own.
    /// </summary>
    internal void Release(ProcessWorker worker, bool reusable, ServePipe? pipe)
    {
        if (!reusable)
        {
            worker.DisposeInBackground();
            return;
        }

        if (pipe is null)
        {
            ProcessPool.Return(worker, w => w.Reset());
            return;
        }

        ProcessPool.BeginRelease(worker);
        pipe.Release(ResetWait, ok => ProcessPool.EndRelease(worker, ok && worker.AfterReset()));
    }
}
