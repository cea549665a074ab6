using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace ParallelJobs.Engine;

/// <summary>
/// The scheduler between the pipeline thread and the workers. It numbers input items, bounds how far
/// input runs ahead (capacity), bounds how far workers run past the oldest unwritten result (window),
/// and hands out batches. The pipeline thread queues input without taking the lock: with items of a few
/// microseconds, three threads taking one lock per item on two cores spent most of their time spinning.
/// Workers take batches, and every rare change is made, under the lock. Idle workers wait on one signal
/// that a producer sets only when it is not set already, so feeding a busy run costs no wake-up at all.
/// </summary>
internal sealed class WorkQueue
{
    private readonly object _lock = new();
    private readonly ConcurrentQueue<WorkItem> _queue = new();

    // Under the lock: the queue's first item, taken out so that its index can be looked at. TryPeek would
    // mark the queue's segment as observed, and an observed segment is never reused: the queue then took
    // a lock and a new 32-slot segment every 32 items, and the reader spun on that lock.
    private WorkItem? _head;
    private readonly List<WorkItem> _retry = new();
    private readonly int _capacity;
    private readonly long _window;
    private readonly int _workers;
    private readonly Action _wakeReader;
    private readonly ManualResetEventSlim _workSignal = new(false);
    private long _nextIndex;
    private long _emitHead;
    private int _queued;
    private int _running;
    private volatile bool _inputCompleted;
    private volatile bool _halted;
    private volatile bool _cancelled;

    /// <param name="window">0 for unordered runs, which need no window.</param>
    public WorkQueue(int capacity, long window, int workers, Action wakeReader)
    {
        _capacity = Math.Max(1, capacity);
        _window = window;
        _workers = Math.Max(1, workers);
        _wakeReader = wakeReader;
    }

    /// <summary>How many items have been numbered so far (input and refills).</summary>
    public long Added => Interlocked.Read(ref _nextIndex);

    public bool IsHalted => _halted || _cancelled;

    /// <summary>The oldest index whose result has not been written yet (ordered runs).</summary>
    public long EmitHead => Interlocked.Read(ref _emitHead);

    /// <summary>
    /// True while items wait in the queue or for a retry, or input may still bring more. A runner that
    /// would spend long getting ready again (reconnecting to a remote host) gives up once it is false.
    /// </summary>
    public bool HasPendingWork
    {
        get
        {
            lock (_lock)
            {
                return !_halted && !_cancelled && (!_inputCompleted || !QueueEmpty || _retry.Count > 0);
            }
        }
    }

    /// <summary>True once nothing is running and nothing more will ever be handed out.</summary>
    public bool IsDrained
    {
        get
        {
            lock (_lock)
            {
                return Volatile.Read(ref _running) == 0 && (_halted || _cancelled || (_inputCompleted && QueueEmpty && _retry.Count == 0));
            }
        }
    }

    /// <summary>Numbers an item in input order without queueing it yet.</summary>
    public WorkItem Number(object? input, object? task) => new(Interlocked.Increment(ref _nextIndex) - 1, input, task);

    /// <summary>
    /// Pipeline thread: queues numbered items from the front of <paramref name="items"/> while there is room,
    /// and removes them from the list. Once the run is halted nothing is queued: the items are moved to
    /// <paramref name="refused"/>, since they will never start.
    /// </summary>
    public void TryAddRange(List<WorkItem> items, List<WorkItem> refused)
    {
        if (_halted || _cancelled)
        {
            refused.AddRange(items);
            items.Clear();
            return;
        }

        // Capacity bounds input only: refills (Refill) are never refused, so they may take the queue past it.
        int room = Math.Min(items.Count, _capacity - Volatile.Read(ref _queued));
        if (room <= 0)
        {
            return;
        }

        Interlocked.Add(ref _queued, room);
        for (int i = 0; i < room; i++)
        {
            _queue.Enqueue(items[i]);
        }

        items.RemoveRange(0, room);
        WakeWorkers();
    }

    /// <summary>Numbers an item that will not run here (its result comes from the job log, or it was refused).</summary>
    public WorkItem Reserve(object? input) => Number(input, null);

    /// <summary>After a halt: takes every item that will now never start.</summary>
    public List<WorkItem> TakeRemaining()
    {
        lock (_lock)
        {
            var left = new List<WorkItem>(_retry);
            _retry.Clear();
            DequeueInto(left, int.MaxValue);

            return left;
        }
    }

    /// <summary>
    /// Inline runs (-Sequential): takes what is ready without waiting. When nothing is, tells how long
    /// until a retry is due (or <see cref="Timeout.Infinite"/> when none waits).
    /// </summary>
    public bool TryTakeNow(List<WorkItem> batch, int max, out int retryDueMilliseconds)
    {
        lock (_lock)
        {
            retryDueMilliseconds = Timeout.Infinite;
            if (_cancelled || _halted)
            {
                return false;
            }

            TakeReadyRetries(batch, max);
            DequeueInto(batch, max - batch.Count);

            Interlocked.Add(ref _running, batch.Count);
            if (batch.Count == 0)
            {
                retryDueMilliseconds = NextRetryDelay();
            }

            return batch.Count > 0;
        }
    }

    /// <summary>A running item hands back new work (refill); it is never refused, so it cannot deadlock.</summary>
    public WorkItem Refill(object? input, object? task)
    {
        WorkItem item = Number(input, task);
        Interlocked.Increment(ref _queued);
        _queue.Enqueue(item);
        WakeWorkers();
        return item;
    }

    /// <summary>Puts an item back to run again, before new input, not earlier than <paramref name="notBefore"/>.</summary>
    public void Requeue(WorkItem item, DateTime notBefore)
    {
        lock (_lock)
        {
            item.NotBefore = notBefore;
            int at = _retry.FindIndex(r => r.Index > item.Index);
            _retry.Insert(at < 0 ? _retry.Count : at, item);
        }

        WakeWorkers();
    }

    public void InputEnded() => Signal(() => _inputCompleted = true);

    public void Halt() => Signal(() => _halted = true);

    public void Cancel() => Signal(() => _cancelled = true);

    /// <summary>Pipeline thread: every index below <paramref name="head"/> has been written.</summary>
    public void SetEmitHead(long head)
    {
        if (head <= Interlocked.Read(ref _emitHead))
        {
            return;
        }

        // A worker that found the window closed has either reset the signal before its last look (and is
        // woken here) or has not looked again yet (and will see the new head): see TakeBatch.
        Interlocked.Exchange(ref _emitHead, head);
        WakeWorkers();
    }

    /// <summary>
    /// Worker: fills <paramref name="batch"/> with up to <paramref name="max"/> items, waiting for work.
    /// Returns false when the worker should exit.
    /// </summary>
    public bool TakeBatch(List<WorkItem> batch, int max, CancellationToken token)
    {
        bool lingered = false;
        bool armed = false;
        while (true)
        {
            bool linger;
            int retryDue = Timeout.Infinite;
            lock (_lock)
            {
                if (_cancelled || _halted || token.IsCancellationRequested)
                {
                    return false;
                }

                TakeReadyRetries(batch, max);
                int available = Takeable();
                linger = batch.Count == 0 && available > 0 && available < max && !_inputCompleted && !lingered;
                if (!linger)
                {
                    if (TakeQueued(batch, max, available))
                    {
                        return true;
                    }

                    if (NothingLeft())
                    {
                        return false;
                    }

                    retryDue = NextRetryDelay();
                }
            }

            if (linger)
            {
                // Items are quick (the batch grew) but few are queued: let input catch up once, rather
                // than taking them one by one. Outside the lock, so the other workers go on meanwhile.
                lingered = true;
                Thread.Sleep(1);
                continue;
            }

            if (!armed)
            {
                // Reset, then look once more before waiting: whoever adds work after that look sets it.
                _workSignal.Reset();
                armed = true;
                continue;
            }

            _workSignal.Wait(retryDue);
            armed = false;
        }
    }

    /// <summary>Under the lock: moves up to what is takeable into the batch; true if the batch has items.</summary>
    private bool TakeQueued(List<WorkItem> batch, int max, int available)
    {
        AssertLocked();
        int queued = Volatile.Read(ref _queued);
        int fair = _inputCompleted ? (queued + _workers - 1) / _workers : max;
        int take = Math.Min(Math.Min(max - batch.Count, available), Math.Max(1, fair));
        bool wasFull = queued >= _capacity;
        DequeueInto(batch, take);
        if (batch.Count == 0)
        {
            return false;
        }

        Interlocked.Add(ref _running, batch.Count);
        if (wasFull)
        {
            _wakeReader();
        }

        return true;
    }

    /// <summary>Worker: the items of its last batch are finished (their results are already posted).</summary>
    public void MarkDone(int count)
    {
        if (Interlocked.Add(ref _running, -count) == 0)
        {
            // Idle workers wait for the last running item, to learn that the run is over (or got refills).
            WakeWorkers();
        }

        _wakeReader();
    }

    /// <summary>Any thread, after making work takeable or changing state: wakes idle workers.</summary>
    private void WakeWorkers()
    {
        // A full fence between publishing the work and reading the signal; TakeBatch resets it before it
        // looks. When the signal is already set (workers busy), this costs a read and nothing more.
        Thread.MemoryBarrier();
        if (!_workSignal.IsSet)
        {
            _workSignal.Set();
        }
    }

    /// <summary>Under the lock: how many queued items a worker may take now (only workers dequeue, under it).</summary>
    private int Takeable()
    {
        AssertLocked();
        int queued = Math.Max(0, Volatile.Read(ref _queued));
        if (_head is null && _queue.TryDequeue(out WorkItem? first))
        {
            _head = first;
        }

        if (_head is not { } head)
        {
            return 0;
        }

        if (_window <= 0)
        {
            return Math.Max(1, queued);
        }

        long room = Interlocked.Read(ref _emitHead) + _window - head.Index;
        return (int)Math.Max(0, Math.Min(Math.Max(1, queued), room));
    }

    /// <summary>Under the lock: input has ended, nothing is queued or due for retry, and nothing runs.</summary>
    private bool NothingLeft() =>
        _inputCompleted && QueueEmpty && _retry.Count == 0 && Volatile.Read(ref _running) == 0;

    /// <summary>Under the lock.</summary>
    private bool QueueEmpty => _head is null && _queue.IsEmpty;

    /// <summary>
    /// Under the lock: moves up to <paramref name="count"/> queued items, the one looked at first leading, into
    /// <paramref name="into"/>, and counts them out once: a count shared with the reader, touched per batch.
    /// </summary>
    private void DequeueInto(List<WorkItem> into, int count)
    {
        AssertLocked();
        int taken = 0;
        if (_head is not null && count > 0)
        {
            into.Add(_head);
            _head = null;
            taken++;
        }

        while (taken < count && _queue.TryDequeue(out WorkItem? item))
        {
            into.Add(item);
            taken++;
        }

        if (taken > 0)
        {
            Interlocked.Add(ref _queued, -taken);
        }
    }

    private void TakeReadyRetries(List<WorkItem> batch, int max)
    {
        AssertLocked();
        DateTime now = DateTime.UtcNow;
        for (int i = 0; i < _retry.Count && batch.Count < max; i++)
        {
            if (_retry[i].NotBefore <= now)
            {
                batch.Add(_retry[i]);
                _retry.RemoveAt(i--);
            }
        }
    }

    private int NextRetryDelay()
    {
        AssertLocked();
        if (_retry.Count == 0)
        {
            return Timeout.Infinite;
        }

        DateTime next = DateTime.MaxValue;
        foreach (WorkItem item in _retry)
        {
            next = item.NotBefore < next ? item.NotBefore : next;
        }

        return (int)Math.Max(1, Math.Min(int.MaxValue, (next - DateTime.UtcNow).TotalMilliseconds + 1));
    }

    /// <summary>The helpers marked "under the lock" check that they hold it: a missed lock here loses items silently.</summary>
    private void AssertLocked()
    {
        if (!Monitor.IsEntered(_lock))
        {
            throw new InvalidOperationException("WorkQueue: a helper that needs the queue's lock was called without it.");
        }
    }

    private void Signal(Action change)
    {
        lock (_lock)
        {
            change();
        }

        WakeWorkers();
        _wakeReader();
    }
}
