using System;
using System.Threading;
using ParallelJobs.Engine;
using ParallelJobs.Scripting;

namespace ParallelJobs.Workers;

/// <summary>Makes -UseProcess runners and hands them worker processes: warm ones from the pool, else new ones.</summary>
internal sealed class ProcessRunnerFactory : IRunnerFactory
{
    public ProcessRunnerFactory(ScriptConfig config, int maxItemsPerWorker, double maxWorkerMemoryMB)
    {
        Config = config;
        MaxItemsPerWorker = maxItemsPerWorker;
        MaxWorkerMemoryMB = maxWorkerMemoryMB;
    }

    public ScriptConfig Config { get; }

    /// <summary>-MaxItemsPerWorker: a process is replaced after this many items; 0 for never.</summary>
    public int MaxItemsPerWorker { get; }

    /// <summary>-MaxWorkerMemoryMB: a process whose working set passed this is replaced between items; 0 for never.</summary>
    public double MaxWorkerMemoryMB { get; }

    public IItemRunner Create(RunContext context)
    {
        var runner = new ProcessRunner(this, context);
        runner.Attach();
        return runner;
    }

    /// <summary>A worker process for this run's configuration, with the run's variables and functions set.</summary>
    internal ProcessWorker Acquire(CancellationToken token)
    {
        ProcessWorker? worker = ProcessPool.TryTake(Config.PoolKey, token);
        if (worker is not null)
        {
            try
            {
                worker.ApplyRun(Config, token);
                return worker;
            }
            catch (Exception) when (!token.IsCancellationRequested)
            {
                // A pooled process that broke meanwhile: a new one below.
                worker.Connection.DisposeInBackground();
            }
            catch
            {
                worker.Connection.DisposeInBackground();
                throw;
            }
        }

        // Not cut short by the run's end: a process still starting when the items ran out (a wide
        // -ThrottleLimit) goes on starting and waits in the pool for the next call, instead of being killed.
        // A stop still returns at once: the engine leaves this thread after its grace.
        worker = ProcessWorker.Start(Config, CancellationToken.None);
        if (token.IsCancellationRequested)
        {
            worker.LastUsed = DateTime.Now;
            ProcessPool.Return(worker);
            throw new OperationCanceledException(token);
        }

        try
        {
            worker.ApplyRun(Config, token);
            return worker;
        }
        catch
        {
            worker.Connection.DisposeInBackground();
            throw;
        }
    }

    /// <summary>A runner is done with <paramref name="worker"/>: reset into the pool, or ended.</summary>
    internal void Release(ProcessWorker worker, bool reusable)
    {
        if (!reusable)
        {
            worker.Connection.DisposeInBackground();
            return;
        }

        ProcessPool.Return(worker, w => w.Reset());
    }
}
