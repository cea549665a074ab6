using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Threading;

namespace ParallelJobs.Engine;

/// <summary>
/// One parallel run: dedicated worker threads pull batches from the <see cref="Dispatcher"/> and post
/// results to the <see cref="Mailbox"/>; the pipeline thread adds input, drains the mailbox through the
/// <see cref="ReorderBuffer{T}"/> and hands results to an <see cref="IResultWriter"/>.
/// Retries, the failure limit and the job log are applied here, so every kind of runner gets them.
/// Methods marked "worker" run on worker threads; the rest are for the pipeline thread only.
/// </summary>
internal sealed class ParallelRun : IItemSink, IDisposable
{
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(300);

    private readonly RunOptions _options;
    private readonly IRunnerFactory _factory;
    private readonly Mailbox _mailbox = new();
    private readonly Dispatcher _dispatcher;
    private readonly ReorderBuffer<ItemResult> _reorder;
    private readonly List<Thread> _threads = new();
    private readonly CancellationTokenSource _cts = new();
    private readonly ItemWatchdog? _watchdog;
    private readonly RunContext _context;
    private const int Chunk = 64;

    private readonly Random _jitter = new();
    private readonly List<WorkItem> _pending = new();
    private readonly List<WorkItem> _refused = new();
    private IItemRunner? _inlineRunner;
    private long _lastHead;
    private int _finished;
    private int _failed;
    private int _skipped;
    private int _haltReason;
    private bool _disposed;

    public ParallelRun(RunOptions options, IRunnerFactory factory)
    {
        _options = options;
        _factory = factory;
        long window = options.Ordered ? options.EffectiveWindow : 0;
        _dispatcher = new Dispatcher(options.EffectiveCapacity, window, options.ThrottleLimit, _mailbox.Wake);
        _reorder = new ReorderBuffer<ItemResult>(Math.Min(options.EffectiveWindow, 1024));
        if (options.ItemTimeout is { } timeout)
        {
            _watchdog = new ItemWatchdog(timeout);
        }

        _context = new RunContext(options, _dispatcher, _cts.Token, _watchdog, this);
    }

    public CancellationToken Token => _cts.Token;

    public Dispatcher Dispatcher => _dispatcher;

    /// <summary>Where finished items are recorded (-LogPath), or null.</summary>
    public IResultLog? Log { get; set; }

    /// <summary>Called on the pipeline thread after each drain, for the progress bar.</summary>
    public Action? AfterDrain { get; set; }

    /// <summary>Items that finished, failed or not, not counting retried attempts.</summary>
    public int Finished => Volatile.Read(ref _finished);

    public int Failed => Volatile.Read(ref _failed);

    /// <summary>Items that never ran because the run halted or was cancelled first.</summary>
    public int Skipped => Volatile.Read(ref _skipped);

    public HaltReason HaltReason => (HaltReason)Volatile.Read(ref _haltReason);

    /// <summary>
    /// Queues one input item, writing finished results while it waits for room. When the queue is full, up
    /// to a chunk of items waits here, so that the reader blocks only once a chunk is ready.
    /// </summary>
    public WorkItem Add(object? input, object? task, IResultWriter writer, string? key = null)
    {
        WorkItem item = _dispatcher.Number(input, task);
        item.Key = key;
        _pending.Add(item);
        // Handed over at once: held back, an item could wait for as long as the upstream takes to produce
        // the next one, while a worker sits idle.
        Flush(writer, Chunk);

        if (_options.Inline)
        {
            RunInline();
        }
        else
        {
            StartWorkerIfNeeded();
        }

        if (!_mailbox.IsEmpty)
        {
            Drain(writer);
        }

        return item;
    }

    /// <summary>Places a result that needs no running (a completed item from the job log) in the stream.</summary>
    public void AddFinished(object? input, string? key, Action<ItemResult> fill, IResultWriter writer)
    {
        WorkItem item = _dispatcher.Reserve(input);
        item.Key = key;
        var result = new ItemResult(item) { FromLog = true };
        fill(result);
        _mailbox.Post(result);
        Drain(writer);
    }

    /// <summary>Refuses one input item (bad key, duplicate): it keeps its place, and its error is written there.</summary>
    public void AddRefused(object? input, ErrorRecord error, IResultWriter writer)
    {
        WorkItem item = _dispatcher.Reserve(input);
        var result = new ItemResult(item) { Failure = error, Status = ItemStatus.Skipped };
        _mailbox.Post(result);
        Drain(writer);
    }

    /// <summary>Input has ended: waits for every item, writing results as they come.</summary>
    public void Complete(IResultWriter writer)
    {
        Flush(writer, 1);
        _dispatcher.Complete();
        while (true)
        {
            _mailbox.Arm();
            if (_options.Inline)
            {
                RunInline();
            }

            Drain(writer);
            if (_dispatcher.IsDrained)
            {
                // Drained because the run was stopped: the stopped items posted nothing, so this is no end.
                if (_cts.IsCancellationRequested)
                {
                    throw new PipelineStoppedException();
                }

                foreach (WorkItem left in _dispatcher.TakeRemaining())
                {
                    PostSkipped(left);
                }

                Drain(writer);
                return;
            }

            Wait();
        }
    }

    /// <summary>Writes whatever is ready without waiting.</summary>
    public void Drain(IResultWriter writer)
    {
        while (_mailbox.TryTake(out object message))
        {
            switch (message)
            {
                case ItemResult result:
                    Emit(result, writer);
                    break;
                case LiveRecord live:
                    writer.WriteLive(live);
                    break;
                case RunFault fault:
                    throw fault.Exception;
            }
        }

        if (_options.Ordered && _reorder.Next != _lastHead)
        {
            _lastHead = _reorder.Next;
            _dispatcher.SetEmitHead(_lastHead);
        }

        // Running items may have added items (refill): give them workers, up to the limit.
        if (!_options.Inline)
        {
            StartWorkerIfNeeded();
        }

        AfterDrain?.Invoke();
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

    /// <summary>Stops the run: nothing new starts and running items are asked to stop. Any thread.</summary>
    public void Cancel()
    {
        _dispatcher.Cancel();
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Worker: one attempt at an item is over. Retries it, or records and posts its result.</summary>
    void IItemSink.Complete(ItemResult result)
    {
        WorkItem item = result.Item;
        bool failed = result.Status is ItemStatus.Failed or ItemStatus.TimedOut;
        if (failed && !result.NoRetry && item.Attempts <= _options.RetryCount && !_dispatcher.IsHalted)
        {
            TimeSpan delay = RetryDelay(item.Attempts);
            if (result.RetryAfter is { } asked && asked > delay)
            {
                // The server said when to come back (Retry-After): never sooner, and never longer than the cap.
                delay = asked < MaxRetryDelay ? asked : MaxRetryDelay;
            }

            string reason = result.Failure?.Exception.Message ?? (result.Status == ItemStatus.TimedOut ? "timed out" : "wrote an error");
            _mailbox.Post(new LiveRecord(item.Index, StreamKind.Verbose, new VerboseRecord(
                $"Item [{item.Index}] failed on attempt {item.Attempts} of {_options.RetryCount + 1} ({reason}); retrying in {delay.TotalSeconds:0.##} s.")));
            _dispatcher.Requeue(item, DateTime.UtcNow + delay);
            return;
        }

        result.Attempts = item.Attempts;
        Interlocked.Increment(ref _finished);
        if (failed)
        {
            int failures = Interlocked.Increment(ref _failed);
            if (_options.StopOnFirstError)
            {
                Halt(HaltReason.FirstError);
            }
            else if (FailureLimitReached(failures))
            {
                Halt(HaltReason.MaxFailures);
            }
        }

        try
        {
            Log?.Append(result);
        }
        catch (Exception ex)
        {
            _mailbox.Post(new RunFault(ex));
        }

        // Posted at once, not with the rest of its batch: a slow item later in the batch must not hold
        // back results that are already done.
        _mailbox.Post(result);
    }

    /// <summary>Worker: a record to show now.</summary>
    void IItemSink.Live(long index, StreamKind kind, object record) =>
        _mailbox.Post(new LiveRecord(index, kind, record));

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Cancel();
        var deadline = Stopwatch.StartNew();
        bool allJoined = true;
        foreach (Thread thread in _threads)
        {
            TimeSpan left = JoinTimeout - deadline.Elapsed;
            allJoined &= thread.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }

        _inlineRunner?.Dispose();
        _watchdog?.Dispose();
        if (allJoined)
        {
            // A worker stuck in uninterruptible .NET code may still touch these; leave them to the GC then.
            _cts.Dispose();
            _mailbox.Dispose();
        }
    }

    private void Halt(HaltReason reason)
    {
        Interlocked.CompareExchange(ref _haltReason, (int)reason, (int)HaltReason.None);
        _dispatcher.Halt();
    }

    private bool FailureLimitReached(int failures)
    {
        if (_options.MaxFailures is { } limit && failures >= limit)
        {
            return true;
        }

        // A percentage means little on the first few items; judge it once ten have finished.
        int finished = Finished;
        return _options.MaxFailurePercent is { } percent && finished >= 10 && failures * 100.0 >= percent * finished;
    }

    private TimeSpan RetryDelay(int attempt)
    {
        double factor;
        lock (_jitter)
        {
            factor = 0.5 + _jitter.NextDouble();
        }

        double seconds = _options.RetryDelay.TotalSeconds * Math.Pow(2, Math.Min(attempt - 1, 16)) * factor;
        return TimeSpan.FromSeconds(Math.Min(seconds, MaxRetryDelay.TotalSeconds));
    }

    /// <summary>Hands pending items to the dispatcher until fewer than <paramref name="keepBelow"/> remain.</summary>
    private void Flush(IResultWriter writer, int keepBelow)
    {
        while (true)
        {
            HandOver();
            if (_pending.Count < keepBelow)
            {
                return;
            }

            // Arm only when about to wait, then look once more: a worker that made room in between has
            // set the signal. Arming on every item made the reader and the workers fight over the signal.
            _mailbox.Arm();
            HandOver();
            if (_pending.Count < keepBelow)
            {
                return;
            }

            Drain(writer);
            Wait();
        }
    }

    private void HandOver()
    {
        _dispatcher.TryAddRange(_pending, _refused);
        foreach (WorkItem refused in _refused)
        {
            // The run has halted: the item is accounted for, but never starts.
            PostSkipped(refused);
        }

        _refused.Clear();
    }

    private void PostSkipped(WorkItem item)
    {
        Interlocked.Increment(ref _skipped);
        _mailbox.Post(new ItemResult(item) { Status = ItemStatus.Skipped, StartTime = DateTime.Now });
    }

    private void Wait()
    {
        try
        {
            _mailbox.Wait(_cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>-Sequential: runs what is queued on this (the pipeline) thread, waiting out retry delays.</summary>
    private void RunInline()
    {
        _inlineRunner ??= _factory.Create(0, _context);
        var batch = new List<WorkItem>();
        while (true)
        {
            if (_dispatcher.TryTakeNow(batch, 1, out int retryDue))
            {
                try
                {
                    _inlineRunner.Run(batch, this, _cts.Token);
                }
                finally
                {
                    _dispatcher.MarkDone(batch.Count);
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

    private void StartWorkerIfNeeded()
    {
        // One worker per queued item up to the limit: a run of three items opens three runspaces, not ten.
        if (_threads.Count >= _options.ThrottleLimit || _threads.Count >= _dispatcher.Added || _disposed)
        {
            return;
        }

        var thread = new Thread(WorkerMain)
        {
            IsBackground = true,
            Name = $"ParallelJobs worker {_threads.Count + 1}",
        };
        _threads.Add(thread);
        thread.Start(_threads.Count);
    }

    private void WorkerMain(object? state)
    {
        int workerId = (int)state!;
        IItemRunner? runner = null;
        var batch = new List<WorkItem>();
        var sizer = new BatchSizer(_options.BatchSize);
        try
        {
            runner = _factory.Create(workerId, _context);
            while (_dispatcher.TakeBatch(batch, sizer.Size, _cts.Token))
            {
                long started = Stopwatch.GetTimestamp();
                try
                {
                    runner.Run(batch, this, _cts.Token);
                }
                finally
                {
                    // Results are posted before MarkDone: once nothing runs, every result is in the mailbox.
                    _dispatcher.MarkDone(batch.Count);
                }

                sizer.Record(batch.Count, TimeSpan.FromSeconds((Stopwatch.GetTimestamp() - started) / (double)Stopwatch.Frequency));
                batch.Clear();
            }
        }
        catch (Exception) when (_cts.IsCancellationRequested)
        {
            // Stopping: the pipeline thread is already on its way out.
        }
        catch (RunnerRetiredException)
        {
            // The runner has nothing left to work with (a lost remote host); the other workers go on.
        }
        catch (Exception ex)
        {
            _mailbox.Post(new RunFault(ex));
        }
        finally
        {
            runner?.Dispose();
            _mailbox.Wake();
        }
    }
}
