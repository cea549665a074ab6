using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace ParallelJobs.Scripting;

/// <summary>
/// For -UseNewRunspace: background threads open runspaces ahead of need while items run, and another
/// closes used ones, so a worker only waits when opening is slower than its items.
/// </summary>
internal sealed class FreshRunspaceSource : IDisposable
{
    private readonly ScriptConfig _config;
    private readonly BlockingCollection<WorkerRunspace> _ready;
    private readonly BlockingCollection<WorkerRunspace> _used = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Thread> _threads = new();
    private Exception? _failure;

    public FreshRunspaceSource(ScriptConfig config, int throttleLimit)
    {
        _config = config;
        _ready = new BlockingCollection<WorkerRunspace>(Math.Max(1, throttleLimit));
        int openers = Math.Max(1, Math.Min(throttleLimit, Environment.ProcessorCount));
        for (int i = 0; i < openers; i++)
        {
            Start(Open, "ParallelJobs runspace opener");
        }

        Start(Close, "ParallelJobs runspace closer");
    }

    public WorkerRunspace Take(CancellationToken token)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(token, _stop.Token);
        while (true)
        {
            if (_failure is not null)
            {
                throw _failure;
            }

            if (_ready.TryTake(out WorkerRunspace? runspace, 50, both.Token))
            {
                return runspace;
            }
        }
    }

    public void Discard(WorkerRunspace runspace)
    {
        try
        {
            _used.Add(runspace);
        }
        catch (InvalidOperationException)
        {
            runspace.Dispose();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _used.CompleteAdding();
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

    private void Start(ThreadStart body, string name)
    {
        var thread = new Thread(body) { IsBackground = true, Name = name };
        _threads.Add(thread);
        thread.Start();
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
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            _failure = ex;
        }
    }

    private void Close()
    {
        foreach (WorkerRunspace runspace in _used.GetConsumingEnumerable())
        {
            runspace.Dispose();
        }
    }
}
