using System;
using System.Collections.Generic;
using System.Threading;

namespace ParallelJobs.Engine;

/// <summary>
/// The scheduler between the pipeline thread and the workers. It numbers input items, bounds how far
/// input runs ahead (capacity), bounds how far workers run past the oldest unwritten result (window),
/// and hands out batches. All state is under one lock; waits are Monitor waits on dedicated threads.
/// </summary>
internal sealed class Dispatcher
{
    private readonly object _lock = new();
    private readonly Queue<WorkItem> _queue = new();
    private readonly List<WorkItem> _retry = new();
    private readonly int _capacity;
    private readonly long _window;
    private readonly int _workers;
    private readonly Action _wakeReader;
    private long _nextIndex;
    private long _emitHead;
    private int _running;
    private int _waiting;
    private bool _inputCompleted;
    private bool _halted;
    private bool _cancelled;

    /// <param name="window">0 for unordered runs, which need no window.</param>
    public Dispatcher(int capacity, long window, int workers, Action wakeReader)
    {
        _capacity = Math.Max(1, capacity);
        _window = window;
        _workers = Math.Max(1, workers);
        _wakeReader = wakeReader;
    }

    /// <summary>How many items have been numbered so far (input and refills).</summary>
    public long Added => Interlocked.Read(ref _nextIndex);

    public bool IsHalted
    {
        get { lock (_lock) { return _halted || _cancelled; } }
    }

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
                return !_halted && !_cancelled && (!_inputCompleted || _queue.Count > 0 || _retry.Count > 0);
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
                return _running == 0 && (_halted || _cancelled || (_inputCompleted && _queue.Count == 0 && _retry.Count == 0));
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
        lock (_lock)
        {
            if (_halted || _cancelled)
            {
                refused.AddRange(items);
                items.Clear();
                return;
            }

            int room = Math.Min(items.Count, _capacity - _queue.Count);
            for (int i = 0; i < room; i++)
            {
                _queue.Enqueue(items[i]);
            }

            items.RemoveRange(0, Math.Max(0, room));
            if (room > 0 && _waiting > 0)
            {
                Monitor.PulseAll(_lock);
            }
        }
    }

    /// <summary>Numbers an item that will not run here (its result comes from the job log, or it was refused).</summary>
    public WorkItem Reserve(object? input) => Number(input, null);

    /// <summary>After a halt: takes every item that will now never start.</summary>
    public List<WorkItem> TakeRemaining()
    {
        lock (_lock)
        {
            var left = new List<WorkItem>(_retry);
            left.AddRange(_queue);
            _retry.Clear();
            _queue.Clear();
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
            while (batch.Count < max && _queue.Count > 0)
            {
                batch.Add(_queue.Dequeue());
            }

            _running += batch.Count;
            if (batch.Count == 0)
            {
                retryDueMilliseconds = NextRetryDelay();
            }

            return batch.Count > 0;
        }
    }

    /// <summary>A running item hands back new work (refill); it is never refused, so it cannot deadlock.</summary>
    public WorkItem AddRefill(object? input, object? task)
    {
        WorkItem item = Number(input, task);
        lock (_lock)
        {
            Enqueue(item);
        }

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
            Monitor.PulseAll(_lock);
        }
    }

    public void Complete() => Signal(() => _inputCompleted = true);

    public void Halt() => Signal(() => _halted = true);

    public void Cancel() => Signal(() => _cancelled = true);

    /// <summary>Pipeline thread: every index below <paramref name="head"/> has been written.</summary>
    public void SetEmitHead(long head)
    {
        // Under the lock: a worker that found the window closed is either already waiting (and is pulsed
        // here) or has not yet looked (and will see the new head). Called once per drain, not per item.
        lock (_lock)
        {
            if (head > _emitHead)
            {
                _emitHead = head;
                if (_waiting > 0)
                {
                    Monitor.PulseAll(_lock);
                }
            }
        }
    }

    /// <summary>
    /// Worker: fills <paramref name="batch"/> with up to <paramref name="max"/> items, waiting for work.
    /// Returns false when the worker should exit.
    /// </summary>
    public bool TakeBatch(List<WorkItem> batch, int max, CancellationToken token)
    {
        bool lingered = false;
        lock (_lock)
        {
            while (true)
            {
                if (_cancelled || _halted || token.IsCancellationRequested)
                {
                    return false;
                }

                TakeReadyRetries(batch, max);
                int available = Takeable();
                if (batch.Count == 0 && available > 0 && available < max && !_inputCompleted && !lingered)
                {
                    // Items are quick (the batch grew) but few are queued: let input catch up once,
                    // rather than waking for every single item.
                    // Sleep outside the lock, so new input does not wake this worker item by item.
                    lingered = true;
                    Monitor.Exit(_lock);
                    try
                    {
                        Thread.Sleep(1);
                    }
                    finally
                    {
                        Monitor.Enter(_lock);
                    }

                    continue;
                }

                int fair = _inputCompleted ? (_queue.Count + _workers - 1) / _workers : max;
                int take = Math.Min(Math.Min(max - batch.Count, available), Math.Max(1, fair));
                bool wasFull = _queue.Count >= _capacity;
                for (int i = 0; i < take; i++)
                {
                    batch.Add(_queue.Dequeue());
                }

                if (batch.Count > 0)
                {
                    _running += batch.Count;
                    if (wasFull)
                    {
                        _wakeReader();
                    }

                    return true;
                }

                if (_inputCompleted && _queue.Count == 0 && _retry.Count == 0 && _running == 0)
                {
                    return false;
                }

                Wait(NextRetryDelay());
            }
        }
    }

    /// <summary>Worker: the items of its last batch are finished (their results are already posted).</summary>
    public void MarkDone(int count)
    {
        lock (_lock)
        {
            _running -= count;
            if (_running == 0)
            {
                Monitor.PulseAll(_lock);
            }
        }

        _wakeReader();
    }

    private void Enqueue(WorkItem item)
    {
        _queue.Enqueue(item);
        if (_waiting > 0)
        {
            Monitor.Pulse(_lock);
        }
    }

    private int Takeable()
    {
        if (_queue.Count == 0)
        {
            return 0;
        }

        if (_window <= 0)
        {
            return _queue.Count;
        }

        long room = _emitHead + _window - _queue.Peek().Index;
        return (int)Math.Max(0, Math.Min(_queue.Count, room));
    }

    private void TakeReadyRetries(List<WorkItem> batch, int max)
    {
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

    private void Wait(int milliseconds)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            Monitor.Wait(_lock, milliseconds);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    private void Signal(Action change)
    {
        lock (_lock)
        {
            change();
            Monitor.PulseAll(_lock);
        }

        _wakeReader();
    }
}
