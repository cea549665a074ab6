using System;
using System.Collections.Generic;
using System.Threading;

namespace ParallelJobs.Engine;

/// <summary>
/// One parallel run, seen from the pipeline thread (the pump): input goes into the <see cref="WorkQueue"/>,
/// the <see cref="WorkerPool"/>'s threads run it through runners, the <see cref="ItemPolicy"/> decides
/// what follows each attempt, and finished results come back through the <see cref="Mailbox"/> and the
/// <see cref="ReorderBuffer{T}"/> to an <see cref="IResultWriter"/>. Everything public here is for the
/// pipeline thread only (checked), except <see cref="Cancel"/>.
/// </summary>
internal sealed class ParallelRun : IDisposable
{
    private const int Chunk = 64;

    private readonly RunOptions _options;
    private readonly IRunnerFactory _factory;
    private readonly Mailbox _mailbox = new();
    private readonly WorkQueue _queue;
    private readonly ReorderBuffer<ItemResult> _reorder;
    private readonly CancellationTokenSource _cts = new();
    private readonly ItemPolicy _policy;
    private readonly WorkerPool _workers;
    private readonly RunContext _context;
    private readonly PipelineThread _thread = new();
    private readonly Timer? _runTimer;

    // Pipeline thread only.
    private readonly List<WorkItem> _pending = new();
    private readonly List<WorkItem> _refused = new();
    private readonly List<ItemAttempt> _running = new();
    private IItemRunner? _sequentialRunner;
    private long _lastHead;
    private bool _disposed;
    private bool _inputEnded;

    // Pipeline thread only, for the progress bar: results drained, and the time of those that ran.
    private long _settled;
    private double _ranSeconds;
    private long _ran;

    // Any thread: the first way the run ended early wins (see EndRun).
    private RunOutcome? _ended;

    public ParallelRun(RunOptions options, IRunnerFactory factory)
    {
        _options = options;
        _factory = factory;
        long window = options.Ordered ? options.EffectiveWindow : 0;
        _queue = new WorkQueue(options.EffectiveCapacity, window, options.ThrottleLimit, _mailbox.Wake);
        _reorder = new ReorderBuffer<ItemResult>(Math.Min(options.EffectiveWindow, 1024));
        _policy = new ItemPolicy(options, _queue, _mailbox, EndRun);
        _context = new RunContext(options, _policy, _queue, _mailbox, _cts.Token, EndRun, job: null, abandoned: null);
        _workers = new WorkerPool(options, factory, _queue,
            abandoned => new RunContext(options, _policy, _queue, _mailbox, _cts.Token, EndRun, _context.Job, abandoned),
            _cts.Token, _mailbox, EndRun, _thread);
        if (options.RunTimeout is { } timeout)
        {
            _runTimer = new Timer(_ => EndRun(new RunOutcome(RunEnd.RunTimedOut)), null, timeout, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Where finished items are recorded (-LogPath), or null.</summary>
    public IResultLog? Log
    {
        get => _policy.Log;
        set => _policy.Log = value;
    }

    /// <summary>Called on the pipeline thread after each drain, for the progress bar.</summary>
    public Action? AfterDrain { get; set; }

    private bool _eagerStarted;

    /// <summary>
    /// How long the pump waits for a result before it drains anyway (which calls <see cref="AfterDrain"/>), so
    /// that the progress bar moves while no item completes. Infinite (the default) waits for a result.
    /// </summary>
    public int WakeMilliseconds { get; set; } = Timeout.Infinite;

    /// <summary>Items that finished, failed or not, not counting retried attempts.</summary>
    public int Finished => _policy.Finished;

    public int Failed => _policy.Failed;

    /// <summary>-AsJob: the job's thread takes the run over once the pipeline has fed all input.</summary>
    public void HandOver() => _thread.Adopt();

    /// <summary>
    /// Queues one input item, writing finished results while it waits for room. When the queue is full, up
    /// to a chunk of items waits here, so that the reader blocks only once a chunk is ready. Throws
    /// <see cref="RunEndedException"/> once the run has ended early, so that reading input stops.
    /// </summary>
    public WorkItem Add(object? input, object? task, IResultWriter writer, string? key = null)
    {
        _thread.Check();
        if (Volatile.Read(ref _ended) is not null)
        {
            throw new RunEndedException(EndEarly(writer));
        }

        WorkItem item = _queue.Number(input, task);
        item.Key = key;
        _pending.Add(item);
        // Handed over at once: held back, an item could wait for as long as the upstream takes to produce
        // the next one, while a worker sits idle.
        Flush(writer, Chunk);

        if (_options.Sequential)
        {
            RunSequential();
        }
        else
        {
            if (!_eagerStarted)
            {
                // With the first item, on the pipeline thread (the run may be made on another one).
                _eagerStarted = true;
                _workers.StartEager();
            }

            _workers.StartIfNeeded();
        }

        if (!_mailbox.IsEmpty)
        {
            Drain(writer);
        }
        else
        {
            // Between input items is the only time the pipeline thread is ours while upstream is slow.
            AfterDrain?.Invoke();
        }

        return item;
    }

    /// <summary>Places a result that needs no running (a completed item from the job log) in the stream.</summary>
    public void AddFinished(object? input, string? key, Action<ItemResult> fill, IResultWriter writer)
    {
        _thread.Check();
        WorkItem item = _queue.Reserve(input);
        item.Key = key;
        var result = new ItemResult(item) { FromLog = true };
        fill(result);
        _mailbox.Post(result);
        Drain(writer);
    }

    /// <summary>Refuses one input item (bad key, duplicate): it keeps its place, and its error is written there.</summary>
    public void AddRefused(object? input, System.Management.Automation.ErrorRecord error, IResultWriter writer)
    {
        _thread.Check();
        WorkItem item = _queue.Reserve(input);
        var result = new ItemResult(item) { Failure = error, Status = ItemStatus.Skipped };
        _mailbox.Post(result);
        Drain(writer);
    }

    /// <summary>Input has ended: waits for every item, writing results as they come, and says how the run ended.</summary>
    public RunOutcome InputEnded(IResultWriter writer)
    {
        _thread.Check();
        Flush(writer, 1);
        _queue.InputEnded();
        _inputEnded = true;
        return RunToEnd(writer);
    }

    /// <summary>Writes whatever is ready without waiting.</summary>
    public void Drain(IResultWriter writer)
    {
        _thread.Check();
        while (_mailbox.TryTake(out object message))
        {
            switch (message)
            {
                case ItemResult result:
                    Count(result);
                    Emit(result, writer);
                    break;
                case LiveRecord live:
                    writer.WriteLive(live);
                    break;
                case LivePart part:
                    // Posted only while its item was the oldest unfinished one (or unordered): written now.
                    writer.WritePart(part);
                    break;
            }
        }

        if (_options.Ordered && _reorder.Next != _lastHead)
        {
            _lastHead = _reorder.Next;
            _queue.SetEmitHead(_lastHead);
        }

        // Running items may have added items (refill): give them workers, up to the limit.
        if (!_options.Sequential)
        {
            _workers.StartIfNeeded();
        }

        AfterDrain?.Invoke();
    }

    /// <summary>
    /// Pipeline thread: where the run stands, for the progress bar. <paramref name="knownTotal"/> is the item
    /// count the cmdlet knew before input ended; once input has ended the run counts them itself.
    /// </summary>
    public ProgressSnapshot Snapshot(long? knownTotal)
    {
        _thread.Check();
        _running.Clear();
        _workers.CollectRunning(_running);
        var running = new List<RunningItem>(_running.Count);
        foreach (ItemAttempt attempt in _running)
        {
            running.Add(new RunningItem(attempt.Index, attempt.Input, attempt.Elapsed));
        }

        _running.Clear();
        running.Sort((a, b) => b.Elapsed.CompareTo(a.Elapsed));
        return new ProgressSnapshot
        {
            Done = _settled,
            Failed = _policy.Failed,
            Total = _inputEnded ? _queue.Added : knownTotal,
            Running = running,
            MeanSeconds = _ran > 0 ? _ranSeconds / _ran : null,
            Width = _options.ThrottleLimit,
        };
    }

    /// <summary>Stops the run (Ctrl+C, Stop-Job): nothing new starts and running items are asked to stop. Any thread.</summary>
    public void Cancel() => EndRun(new RunOutcome(RunEnd.Stopped));

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _runTimer?.Dispose();
        StopEverything();
        _workers.Dispose();
        _sequentialRunner?.Dispose();
        _policy.Dispose();
        if (_workers.AllJoined)
        {
            // A worker stuck in uninterruptible .NET code may still touch these; leave them to the GC then.
            _cts.Dispose();
            _mailbox.Dispose();
        }
    }

    /// <summary>
    /// Any thread: the run ends early. The first reason wins. A halt (-ErrorAction Stop, -MaxFailures, no
    /// worker left) lets running items finish; anything else stops them too.
    /// </summary>
    private void EndRun(RunOutcome outcome)
    {
        if (Interlocked.CompareExchange(ref _ended, outcome, null) is null
            && outcome.End is not (RunEnd.FirstError or RunEnd.FailureLimitReached or RunEnd.AllWorkersLost))
        {
            StopEverything();
        }

        _mailbox.Wake();
    }

    private void StopEverything()
    {
        _queue.Cancel();
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        _workers.StopAll();
    }

    /// <summary>
    /// Pipeline thread, input still coming: the run ended early. Waits for the items still running (a
    /// halt lets them finish), accounts for the queued ones, and writes what finished.
    /// </summary>
    private RunOutcome EndEarly(IResultWriter writer)
    {
        foreach (WorkItem item in _pending)
        {
            _policy.Skip(item);
        }

        _pending.Clear();
        return RunToEnd(writer);
    }

    /// <summary>
    /// Pipeline thread, nothing more to queue: writes results as they come until nothing runs any more (a
    /// halted queue hands out nothing new, so -Sequential then runs nothing) or the run was stopped.
    /// </summary>
    private RunOutcome RunToEnd(IResultWriter writer)
    {
        while (true)
        {
            _mailbox.Arm();
            if (_options.Sequential)
            {
                RunSequential();
            }

            Drain(writer);
            if (_cts.IsCancellationRequested || _queue.IsDrained)
            {
                return Conclude(writer);
            }

            Wait();
        }
    }

    /// <summary>Pipeline thread: nothing runs any more (or the run was stopped); writes what is left and counts.</summary>
    private RunOutcome Conclude(IResultWriter writer)
    {
        RunOutcome outcome = Volatile.Read(ref _ended) ?? new RunOutcome(RunEnd.Completed);
        if (outcome.End != RunEnd.Stopped)
        {
            foreach (WorkItem left in _queue.TakeRemaining())
            {
                _policy.Skip(left);
            }

            Drain(writer);
            if (_options.Ordered)
            {
                // Items that did finish before a stop are written, in order, past the ones that did not.
                while (_reorder.TryTakeAny(out ItemResult next))
                {
                    writer.Write(next);
                }
            }
        }

        outcome.Finished = _policy.Finished;
        outcome.Failed = _policy.Failed;
        outcome.Skipped = _policy.Skipped;
        return outcome;
    }

    private void Count(ItemResult result)
    {
        _settled++;
        if (!result.FromLog && result.Attempts > 0)
        {
            _ranSeconds += result.Duration.TotalSeconds;
            _ran++;
        }
    }

    private void Emit(ItemResult result, IResultWriter writer)
    {
        if (!_options.Ordered)
        {
            writer.Write(result);
            return;
        }

        _reorder.Add(result.Index, result);
        while (_reorder.TryTake(out ItemResult next))
        {
            writer.Write(next);
        }
    }

    /// <summary>Hands pending items to the queue until fewer than <paramref name="keepBelow"/> remain.</summary>
    private void Flush(IResultWriter writer, int keepBelow)
    {
        while (true)
        {
            HandOver(writer);
            if (_pending.Count < keepBelow)
            {
                return;
            }

            // Arm only when about to wait, then look once more: a worker that made room in between has
            // set the signal. Arming on every item made the reader and the workers fight over the signal.
            _mailbox.Arm();
            HandOver(writer);
            if (_pending.Count < keepBelow)
            {
                return;
            }

            Drain(writer);
            if (Volatile.Read(ref _ended) is not null)
            {
                throw new RunEndedException(EndEarly(writer));
            }

            Wait();
        }
    }

    private void HandOver(IResultWriter writer)
    {
        _queue.TryAddRange(_pending, _refused);
        foreach (WorkItem refused in _refused)
        {
            // The run has halted: the item is accounted for, but never starts.
            _policy.Skip(refused);
        }

        _refused.Clear();
    }

    private void Wait()
    {
        try
        {
            _mailbox.Wait(_cts.Token, WakeMilliseconds);
        }
        catch (OperationCanceledException)
        {
            // The run was stopped: the caller's loop sees it and concludes.
        }
    }

    /// <summary>-Sequential: runs what is queued on this (the pipeline) thread, waiting out retry delays.</summary>
    private void RunSequential()
    {
        _sequentialRunner ??= _factory.Create(_context);
        var batch = new List<WorkItem>();
        while (true)
        {
            if (_queue.TryTakeNow(batch, 1, out int retryDue))
            {
                try
                {
                    _sequentialRunner.Run(batch);
                }
                finally
                {
                    _queue.MarkDone(batch.Count);
                    batch.Clear();
                }

                continue;
            }

            if (retryDue == Timeout.Infinite || _cts.IsCancellationRequested)
            {
                return;
            }

            _cts.Token.WaitHandle.WaitOne(retryDue);
        }
    }
}
