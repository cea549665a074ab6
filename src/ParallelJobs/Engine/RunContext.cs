using System;
using System.Management.Automation;
using System.Threading;

namespace ParallelJobs.Engine;

/// <summary>
/// What a runner may ask of the run it works for: begin an attempt, put back an item it did not begin,
/// show a record that belongs to no item, add new items (refill). It gives no access to the queue, the
/// watchdog or the counts, which are the engine's.
/// </summary>
internal sealed class RunContext
{
    private readonly ItemPolicy _policy;
    private readonly WorkQueue _queue;
    private readonly Mailbox _mailbox;
    private readonly Action<RunOutcome> _endRun;

    internal RunContext(RunOptions options, ItemPolicy policy, WorkQueue queue, Mailbox mailbox, CancellationToken token, Action<RunOutcome> endRun)
    {
        Options = options;
        _policy = policy;
        _queue = queue;
        _mailbox = mailbox;
        _endRun = endRun;
        Token = token;
        Job = new ParallelJobContext(this);
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
    /// True once nothing new may start (the run halted or was stopped): a runner checks it before each item
    /// of its batch and puts back the rest, so no item starts after the failure that ended the run.
    /// </summary>
    public bool ShouldStop => _queue.IsHalted;

    /// <summary>Puts back the items of <paramref name="batch"/> from <paramref name="from"/> on, which were never begun.</summary>
    public void PutBackFrom(System.Collections.Generic.IReadOnlyList<WorkItem> batch, int from)
    {
        for (int i = from; i < batch.Count; i++)
        {
            _policy.PutBack(batch[i]);
        }
    }

    /// <summary>Begins an attempt at <paramref name="item"/>; <paramref name="stop"/> stops it when its item timeout passes (watchdog thread; it must check that this attempt still runs).</summary>
    public ItemAttempt Begin(WorkItem item, Action<ItemAttempt>? stop = null) => _policy.Begin(item, stop);

    /// <summary>An item of the batch that was never begun goes back in the queue.</summary>
    public void PutBack(WorkItem item) => _policy.PutBack(item);

    /// <summary>A record that belongs to no item (a remote host that could not be reached); shown at once.</summary>
    public void Post(StreamKind kind, object record) => _mailbox.Post(new LiveRecord(-1, kind, record));

    /// <summary>A record of a running item to show at once rather than in order (progress).</summary>
    public void PostLive(long index, StreamKind kind, object record) => _mailbox.Post(new LiveRecord(index, kind, record));

    /// <summary>A running item hands back new work (refill); it gets the next index.</summary>
    public long Refill(object? input, object? task = null) => _queue.AddRefill(input, task).Index;

    /// <summary>Every worker is gone for good while items are left: the run ends, and <paramref name="detail"/> says why.</summary>
    public void AllWorkersLost(string detail)
    {
        _queue.Halt();
        _endRun(new RunOutcome(RunEnd.AllWorkersLost, detail: detail));
    }
}
