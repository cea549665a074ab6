using System;
using System.Collections.Generic;
using System.Threading;

namespace ParallelJobs.Engine;

/// <summary>
/// What one worker's runner may ask of the run: begin an attempt, put back items it did not begin, show
/// a record that belongs to no item, add new items (refill). It gives no access to the queue, the
/// watchdog or the counts, which are the engine's. One per worker: it also knows the worker's batch, so
/// that a worker stuck in a call that no stop reaches can be abandoned (<see cref="Abandon"/>).
/// </summary>
internal sealed class RunContext
{
    private readonly ItemPolicy _policy;
    private readonly WorkQueue _queue;
    private readonly Mailbox _mailbox;
    private readonly Action<RunOutcome> _endRun;
    private readonly Action<RunContext>? _abandoned;

    // Guarded by _lock: the batch this worker runs, how many of its items were begun or put back (runners
    // take them in order), the attempt running now, and whether the worker was abandoned.
    private readonly object _lock = new();
    private IReadOnlyList<WorkItem>? _batch;
    private int _handled;
    private ItemAttempt? _live;
    private volatile bool _isAbandoned;

    internal RunContext(RunOptions options, ItemPolicy policy, WorkQueue queue, Mailbox mailbox, CancellationToken token,
        Action<RunOutcome> endRun, ParallelJobContext? job, Action<RunContext>? abandoned)
    {
        Options = options;
        _policy = policy;
        _queue = queue;
        _mailbox = mailbox;
        _endRun = endRun;
        _abandoned = abandoned;
        Token = token;
        Job = job ?? new ParallelJobContext(this);
    }

    public RunOptions Options { get; }

    /// <summary>Fires when the whole run stops (Ctrl+C, -TimeoutSeconds, Select-Object -First).</summary>
    public CancellationToken Token { get; }

    /// <summary>The <c>$ParallelJob</c> variable that script items see.</summary>
    public ParallelJobContext Job { get; }

    /// <summary>How many items have been numbered so far, refills included.</summary>
    public long Added => _queue.Added;

    /// <summary>
    /// True while items wait in the queue or for a retry, or input may still bring more. A runner that
    /// would spend long getting ready again (reconnecting to a remote host) gives up once it is false.
    /// </summary>
    public bool HasPendingWork => _queue.HasPendingWork;

    /// <summary>
    /// True once nothing new may start here: the run halted or was stopped, or this worker was abandoned.
    /// A runner checks it before each item of its batch and puts back the rest, so no item starts after
    /// the failure that ended the run.
    /// </summary>
    public bool ShouldStop => _isAbandoned || _queue.IsHalted;

    /// <summary>
    /// True once the engine gave up on this worker (an item stuck past its timeout and grace): its items
    /// were settled for it, and its runspace must never be reused.
    /// </summary>
    public bool Abandoned => _isAbandoned;

    /// <summary>Begins an attempt at <paramref name="item"/>; <paramref name="stop"/> stops it when its item timeout passes (watchdog thread; it must check that this attempt still runs).</summary>
    public ItemAttempt Begin(WorkItem item, Action<ItemAttempt>? stop = null)
    {
        // -RatePerSecond: every runner begins each item of its batch here, just before running it, so waiting here
        // (on the worker's own thread, outside the lock, before the attempt's clock starts) paces every start. A stop
        // ends the wait; the runner then sees the stop itself.
        if (Options.StartPacer is { } pacer && (Options.StartPacerKey is { } keyOf ? keyOf(item) : string.Empty) is { } key)
        {
            pacer.Wait(key, Token);
        }
        lock (_lock)
        {
            if (_isAbandoned)
            {
                // Its items were settled for it: whatever the stale thread does now counts for nothing.
                return ItemAttempt.Detached(_policy, item);
            }

            ItemAttempt attempt = _policy.Begin(item, stop, this);
            _handled++;
            _live = attempt;
            return attempt;
        }
    }

    /// <summary>Puts back the items of <paramref name="batch"/> from <paramref name="from"/> on, which were never begun.</summary>
    public void PutBackFrom(IReadOnlyList<WorkItem> batch, int from)
    {
        lock (_lock)
        {
            if (_isAbandoned)
            {
                // The engine settled this worker's items when it gave up on it.
                return;
            }

            _handled = Math.Max(_handled, batch.Count);
        }

        for (int i = from; i < batch.Count; i++)
        {
            _policy.PutBack(batch[i]);
        }
    }

    /// <summary>A record that belongs to no item (a remote host that could not be reached); shown at once.</summary>
    public void Post(StreamKind kind, object record)
    {
        if (!_isAbandoned)
        {
            _mailbox.Post(new LiveRecord(-1, kind, record));
        }
    }

    /// <summary>A record of a running item to show at once rather than in order (progress).</summary>
    public void PostLive(long index, StreamKind kind, object record)
    {
        if (!_isAbandoned)
        {
            _mailbox.Post(new LiveRecord(index, kind, record));
        }
    }

    /// <summary>A running item hands back new work (refill); it gets the next index.</summary>
    public long Refill(object? input, object? task = null) => _queue.Refill(input, task).Index;

    /// <summary>Every worker is gone for good while items are left: the run ends, and <paramref name="detail"/> says why.</summary>
    public void AllWorkersLost(string detail)
    {
        _queue.Halt();
        _endRun(new RunOutcome(RunEnd.AllWorkersLost, detail: detail));
    }

    /// <summary>Any thread: the attempt this worker runs now, or null (for the progress bar's running items).</summary>
    internal ItemAttempt? Running
    {
        get
        {
            lock (_lock)
            {
                return _isAbandoned ? null : _live;
            }
        }
    }

    /// <summary>Worker: a batch starts.</summary>
    internal void BatchStarted(IReadOnlyList<WorkItem> batch)
    {
        lock (_lock)
        {
            _batch = batch;
            _handled = 0;
        }
    }

    /// <summary>Worker: the runner returned from its batch. False when the worker was abandoned meanwhile (its batch was settled for it).</summary>
    internal bool BatchEnded()
    {
        lock (_lock)
        {
            _batch = null;
            _live = null;
            return !_isAbandoned;
        }
    }

    internal void AttemptEnded(ItemAttempt attempt)
    {
        lock (_lock)
        {
            if (_live == attempt)
            {
                _live = null;
            }
        }
    }

    /// <summary>
    /// Any thread: gives up on this worker. Its running attempt (when it is <paramref name="stuck"/>, or any
    /// with null) ends as timed out or stopped, the rest of its batch goes back in the queue, and its place is
    /// counted free; the thread is left to return on its own, and nothing it does then counts.
    /// </summary>
    internal bool Abandon(ItemAttempt? stuck)
    {
        IReadOnlyList<WorkItem> batch;
        ItemAttempt? live;
        int handled;
        lock (_lock)
        {
            if (_isAbandoned || _batch is null || (stuck is not null && _live != stuck))
            {
                return false;
            }

            _isAbandoned = true;
            batch = _batch;
            live = _live;
            handled = _handled;
            _batch = null;
            _live = null;
        }

        live?.EndAbandoned();
        for (int i = handled; i < batch.Count; i++)
        {
            _policy.PutBack(batch[i]);
        }

        _queue.MarkDone(batch.Count);
        _abandoned?.Invoke(this);
        return true;
    }
}
