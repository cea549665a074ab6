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
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(5);

    private readonly RunOptions _options;
    private readonly IRunnerFactory _factory;
    private readonly WorkQueue _queue;
    private readonly RunContext _context;
    private readonly Mailbox _mailbox;
    private readonly Action<RunOutcome> _endRun;
    private readonly PipelineThread _owner;
    private readonly List<Thread> _threads = new();

    // Guarded by itself: the runners alive now, so that a stop reaches each one.
    private readonly List<IItemRunner> _runners = new();
    private bool _disposed;

    public WorkerPool(RunOptions options, IRunnerFactory factory, WorkQueue queue, RunContext context, Mailbox mailbox, Action<RunOutcome> endRun, PipelineThread owner)
    {
        _options = options;
        _factory = factory;
        _queue = queue;
        _context = context;
        _mailbox = mailbox;
        _endRun = endRun;
        _owner = owner;
    }

    /// <summary>True when every worker has joined: nothing can touch the run's objects any more.</summary>
    public bool AllJoined { get; private set; } = true;

    /// <summary>Pipeline thread: one worker per queued item up to the limit (three items open three runspaces, not ten).</summary>
    public void StartIfNeeded()
    {
        _owner.Check();
        if (_threads.Count >= _options.ThrottleLimit || _threads.Count >= _queue.Added || _disposed)
        {
            return;
        }

        var thread = new Thread(WorkerMain)
        {
            IsBackground = true,
            Name = $"ParallelJobs worker {_threads.Count + 1}",
        };
        _threads.Add(thread);
        thread.Start();
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
        foreach (Thread thread in _threads)
        {
            TimeSpan left = JoinTimeout - deadline.Elapsed;
            allJoined &= thread.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }

        AllJoined = allJoined;
    }

    private void WorkerMain()
    {
        IItemRunner? runner = null;
        var batch = new List<WorkItem>();
        var sizer = new BatchSizer(_options.BatchSize);
        CancellationToken token = _context.Token;
        try
        {
            runner = _factory.Create(_context);
            lock (_runners)
            {
                _runners.Add(runner);
            }

            while (_queue.TakeBatch(batch, sizer.Size, token))
            {
                long started = Stopwatch.GetTimestamp();
                try
                {
                    runner.Run(batch);
                }
                finally
                {
                    // Results are posted (and unrun items put back) before MarkDone: once nothing runs,
                    // every result is in the mailbox.
                    _queue.MarkDone(batch.Count);
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
