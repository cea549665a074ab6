using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace ParallelJobs.Scripting;

/// <summary>
/// For -UseNewRunspace: a brand-new runspace for every item. Cores that the workers leave idle open the
/// next runspaces ahead, on background threads, while earlier items run; a worker that finds none ready
/// opens its own rather than wait. Used runspaces are closed at once, on the worker.
/// </summary>
/// <remarks>
/// A runspace allocates about 3 MB. Opened ahead, or closed later on another thread, each one lives
/// longer, so most survive a gen0 collection and every collection becomes a costly gen1 one: on two cores
/// with two workers, opening and closing on the worker ran 1,000 items 15% faster than ahead-of-time
/// threads. So there are only as many openers as cores the workers do not use.
/// </remarks>
internal sealed class FreshRunspaceSource : IDisposable
{
    private readonly ScriptConfig _config;
    private readonly BlockingCollection<WorkerRunspace> _ready;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Thread> _threads = new();

    public FreshRunspaceSource(ScriptConfig config, int throttleLimit)
    {
        _config = config;
        int openers = OpenersFor(throttleLimit, Environment.ProcessorCount);
        _ready = new BlockingCollection<WorkerRunspace>(Math.Max(1, openers));
        for (int i = 0; i < openers; i++)
        {
            var thread = new Thread(Open) { IsBackground = true, Name = "ParallelJobs runspace opener" };
            _threads.Add(thread);
            thread.Start();
        }
    }

    /// <summary>As many background openers as there are cores the workers leave idle, and no more than workers.</summary>
    internal static int OpenersFor(int throttleLimit, int processors) => Math.Max(0, Math.Min(throttleLimit, processors - throttleLimit));

    /// <summary>Worker: a runspace opened ahead if one is ready, else one opened here and now.</summary>
    public WorkerRunspace Take(CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        return _ready.TryTake(out WorkerRunspace? runspace) ? runspace : WorkerRunspace.Open(_config, forPool: false);
    }

    public void Discard(WorkerRunspace runspace) => runspace.Dispose();

    public void Dispose()
    {
        _stop.Cancel();
        foreach (Thread thread in _threads)
        {
            thread.Join(TimeSpan.FromSeconds(10));
        }

        while (_ready.TryTake(out WorkerRunspace? left))
        {
            left.Dispose();
        }

        _stop.Dispose();
    }

    private void Open()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                WorkerRunspace runspace = WorkerRunspace.Open(_config, forPool: false);
                try
                {
                    _ready.Add(runspace, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    runspace.Dispose();
                }
            }
        }
        catch (Exception)
        {
            // Stopping, or a setup failure: the worker opening its own runspace meets the same failure and reports it.
        }
    }
}
