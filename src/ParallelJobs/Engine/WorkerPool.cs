using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace ParallelJobs.Engine;

/// <summary>
/// The worker threads of one run: each makes its runner, then takes batches from the queue and runs
/// them until the queue says it is over. Started and disposed on the pipeline thread; a worker that
/// does not stop in time is abandoned (it is a background thread and keeps no process alive).
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    /// <summary>How long a stopped run waits for its workers; one that has not returned by then is abandoned.</summary>
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(1);

    private readonly RunOptions _options;
    private readonly IRunnerFactory _factory;
    private readonly WorkQueue _queue;
    private readonly Func<Action<RunContext>, RunContext> _newContext;
    private readonly CancellationToken _token;
    private readonly Mailbox _mailbox;
    private readonly Action<RunOutcome> _endRun;
    private readonly PipelineThread _owner;
    private readonly List<(Thread Thread, RunContext Context)> _threads = new();

    // Guarded by itself: the runners alive now, so that a stop reaches each one.
    private readonly List<IItemRunner> _runners = new();
    private int _abandoned;
    private bool _disposed;

    /// <param name="newContext">Makes a worker's own context, given what to call when the worker is abandoned.</param>
    public WorkerPool(RunOptions options, IRunnerFactory factory, WorkQueue queue, Func<Action<RunContext>, RunContext> newContext,
        CancellationToken token, Mailbox mailbox, Action<RunOutcome> endRun, PipelineThread owner)
    {
        _options = options;
        _factory = factory;
        _queue = queue;
        _newContext = newContext;
        _token = token;
        _mailbox = mailbox;
        _endRun = endRun;
        _owner = owner;
    }

    /// <summary>True when every worker has joined: nothing can touch the run's objects any more.</summary>
    public bool AllJoined { get; private set; } = true;

    /// <summary>
    /// Pipeline thread: one worker per queued item up to the limit (three items open three runspaces, not
    /// ten). An abandoned worker's place is free again, so the run goes on at full width.
    /// </summary>
    public void StartIfNeeded()
    {
        _owner.Check();
        int working = _threads.Count - Volatile.Read(ref _abandoned);
        if (working >= _options.ThrottleLimit || _threads.Count >= _queue.Added + Volatile.Read(ref _abandoned) || _disposed)
        {
            return;
        }

        StartWorker();
    }

    private void StartWorker()
    {
        RunContext context = _newContext(OnAbandoned);
        var thread = new Thread(WorkerMain)
        {
            IsBackground = true,
            Name = $"ParallelJobs worker {_threads.Count + 1}",
        };
        _threads.Add((thread, context));
        thread.Start(context);
    }

    /// <summary>
    /// Pipeline thread, with the run's first item: the workers an <see cref="IEagerRunnerFactory"/> asks for, at once.
    /// Each Thread.Start waits until the new thread runs, which took 10 ms or more per worker once the first ones were
    /// busy readying worker processes; started together, each readies its runner while input is still coming.
    /// </summary>
    public void StartEager()
    {
        _owner.Check();
        int eager = _factory is IEagerRunnerFactory factory ? Math.Min(_options.ThrottleLimit, factory.EagerWorkers(_options.ThrottleLimit)) : 0;
        for (int i = _threads.Count; i < eager; i++)
        {
            StartWorker();
        }
    }

    /// <summary>Pipeline thread: adds the attempt each worker runs now (at most one per worker) to <paramref name="into"/>.</summary>
    public void CollectRunning(List<ItemAttempt> into)
    {
        _owner.Check();
        foreach ((Thread _, RunContext context) in _threads)
        {
            if (context.Running is { } attempt)
            {
                into.Add(attempt);
            }
        }
    }

    /// <summary>Any thread: asks every running batch to stop.</summary>
    public void StopAll()
    {
        IItemRunner[] runners;
        lock (_runners)
        {
            runners = _runners.ToArray();
        }

        foreach (IItemRunner runner in runners)
        {
            try
            {
                runner.Stop();
            }
            catch (Exception)
            {
                // A runner that cannot be stopped is abandoned with its thread when the run is disposed.
            }
        }
    }

    /// <summary>Pipeline thread, after the run was cancelled: waits a bounded time for the workers.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        var deadline = Stopwatch.StartNew();
        bool allJoined = true;
        foreach ((Thread thread, RunContext context) in _threads)
        {
            TimeSpan left = JoinTimeout - deadline.Elapsed;
            if (!thread.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero))
            {
                // Stuck in a call no stop reaches: left to return on its own; its runspace is never reused.
                context.Abandon(null);
                allJoined = false;
            }
        }

        AllJoined = allJoined;
    }

    /// <summary>Any thread: a worker was given up on; wake the pump so that it starts one in its place.</summary>
    private void OnAbandoned(RunContext context)
    {
        Interlocked.Increment(ref _abandoned);
        _mailbox.Wake();
    }

    private void WorkerMain(object? state)
    {
        var context = (RunContext)state!;
        IItemRunner? runner = null;
        var batch = new List<WorkItem>();
        var sizer = new BatchSizer(_options.BatchSize, _options.BatchGrowBelow);
        CancellationToken token = _token;
        try
        {
            runner = _factory.Create(context);
            lock (_runners)
            {
                _runners.Add(runner);
            }

            while (!context.Abandoned && _queue.TakeBatch(batch, sizer.Size, token))
            {
                long started = Stopwatch.GetTimestamp();
                context.BatchStarted(batch);
                try
                {
                    runner.Run(batch);
                }
                finally
                {
                    // Results are posted (and unrun items put back) before MarkDone: once nothing runs,
                    // every result is in the mailbox. An abandoned worker's batch was marked done for it.
                    if (context.BatchEnded())
                    {
                        _queue.MarkDone(batch.Count);
                    }
                }

                sizer.Record(batch.Count, TimeSpan.FromSeconds((Stopwatch.GetTimestamp() - started) / (double)Stopwatch.Frequency));
                batch.Clear();
            }
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            // Stopping: the pipeline thread is already on its way out.
        }
        catch (RunnerRetiredException)
        {
            // The runner has nothing left to work with (a lost remote host); the other workers go on.
        }
        catch (Exception) when (context.Abandoned)
        {
            // Given up on already: nothing it does now counts.
        }
        catch (JobLogException ex)
        {
            _endRun(new RunOutcome(RunEnd.LogFailed, ex));
        }
        catch (Exception ex)
        {
            _endRun(new RunOutcome(RunEnd.SetupFailed, ex));
        }
        finally
        {
            if (runner is not null)
            {
                lock (_runners)
                {
                    _runners.Remove(runner);
                }

                runner.Dispose();
            }

            _mailbox.Wake();
        }
    }
}
