using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace ParallelJobs.Engine;

/// <summary>
/// One parallel run: dedicated worker threads pull batches from the <see cref="Dispatcher"/> and post
/// results to the <see cref="Mailbox"/>; the pipeline thread adds input, drains the mailbox through the
/// <see cref="ReorderBuffer{T}"/> and hands results to an <see cref="IResultWriter"/>.
/// Every method without "worker" in its summary is for the pipeline thread only.
/// </summary>
internal sealed class ParallelRun : IItemSink, IDisposable
{
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(5);

    private readonly RunOptions _options;
    private readonly IRunnerFactory _factory;
    private readonly Mailbox _mailbox = new();
    private readonly Dispatcher _dispatcher;
    private readonly ReorderBuffer<ItemResult> _reorder;
    private readonly List<Thread> _threads = new();
    private readonly CancellationTokenSource _cts = new();
    private long _emitted;
    private long _lastHead;
    private bool _disposed;

    public ParallelRun(RunOptions options, IRunnerFactory factory)
    {
        _options = options;
        _factory = factory;
        long window = options.Ordered ? options.EffectiveWindow : 0;
        _dispatcher = new Dispatcher(options.EffectiveCapacity, window, options.ThrottleLimit, _mailbox.Wake);
        _reorder = new ReorderBuffer<ItemResult>(Math.Min(options.EffectiveWindow, 1024));
    }

    public CancellationToken Token => _cts.Token;

    public Dispatcher Dispatcher => _dispatcher;

    /// <summary>Results handed to the writer so far.</summary>
    public long Emitted => _emitted;

    /// <summary>Queues one input item, writing finished results while it waits for room.</summary>
    public WorkItem Add(object? input, object? task, IResultWriter writer)
    {
        WorkItem? item;
        while (true)
        {
            _mailbox.Arm();
            item = _dispatcher.TryAdd(input, task);
            if (item is not null)
            {
                break;
            }

            Drain(writer);
            Wait();
        }

        StartWorkerIfNeeded();
        if (!_mailbox.IsEmpty)
        {
            Drain(writer);
        }

        return item;
    }

    /// <summary>Input has ended: waits for every item, writing results as they come.</summary>
    public void Complete(IResultWriter writer)
    {
        _dispatcher.Complete();
        while (true)
        {
            _mailbox.Arm();
            Drain(writer);
            if (_dispatcher.IsDrained)
            {
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
                case ItemResult result when _options.Ordered:
                    _reorder.Add(result.Index, result);
                    while (_reorder.TryTake(out ItemResult next))
                    {
                        _emitted++;
                        writer.Write(next);
                    }

                    break;
                case ItemResult result:
                    _emitted++;
                    writer.Write(result);
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

    /// <summary>Stops starting new items; running ones finish. Any thread.</summary>
    public void Halt() => _dispatcher.Halt();

    /// <summary>Worker: one item is finished.</summary>
    void IItemSink.Complete(ItemResult result)
    {
        if (_options.StopOnFirstError && result.HasErrors)
        {
            _dispatcher.Halt();
        }

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
        foreach (Thread thread in _threads)
        {
            TimeSpan left = JoinTimeout - deadline.Elapsed;
            thread.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }

        _cts.Dispose();
        _mailbox.Dispose();
    }

    private void Wait()
    {
        try
        {
            _mailbox.Wait(_cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new System.Management.Automation.PipelineStoppedException();
        }
    }

    private void StartWorkerIfNeeded()
    {
        // One worker per queued item up to the limit: a run of three items opens three runspaces, not ten.
        if (_threads.Count >= _options.ThrottleLimit || _threads.Count >= _dispatcher.Added)
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
            runner = _factory.Create(workerId, _cts.Token);
            while (_dispatcher.TakeBatch(batch, sizer.Size, _cts.Token))
            {
                long started = Stopwatch.GetTimestamp();
                try
                {
                    runner.Run(batch, this, _cts.Token);
                }
                finally
                {
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
