using System;
using System.Management.Automation;
using System.Threading;

namespace ParallelJobs.Engine;

/// <summary>
/// What happens to an item around each attempt, the same for every kind of runner: an attempt is counted
/// and timed when it begins; when it ends the item is retried, or it is finished, counted against the
/// failure limit, written to the job log and posted to the pipeline thread. Worker threads call in here;
/// the counters are read from any thread.
/// </summary>
internal sealed class ItemPolicy : IDisposable
{
    /// <summary>An item under which workers were lost this often fails instead of going round again (it may be what kills them).</summary>
    public const int MaxWorkerLosses = 3;

    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(300);

    /// <summary>How long a stopped item may take to answer the stop before its worker is given up on.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromMilliseconds(500);

    private readonly RunOptions _options;
    private readonly WorkQueue _queue;
    private readonly Mailbox _mailbox;
    private readonly Action<RunOutcome> _endRun;
    private readonly Random _jitter = new();
    private int _finished;
    private int _failed;
    private int _skipped;

    /// <param name="endRun">Ends the run early (the failure limit, a broken log); any thread.</param>
    public ItemPolicy(RunOptions options, WorkQueue queue, Mailbox mailbox, Action<RunOutcome> endRun)
    {
        _options = options;
        _queue = queue;
        _mailbox = mailbox;
        _endRun = endRun;
        if (options.ItemTimeout is { } timeout)
        {
            Watchdog = new ItemWatchdog(timeout, StopGrace);
        }
    }

    /// <summary>Null unless -ItemTimeoutSeconds was given.</summary>
    public ItemWatchdog? Watchdog { get; }

    /// <summary>Where finished items are recorded (-LogPath), or null.</summary>
    public IResultLog? Log { get; set; }

    public int Finished => Volatile.Read(ref _finished);

    public int Failed => Volatile.Read(ref _failed);

    public int Skipped => Volatile.Read(ref _skipped);

    /// <summary>Worker: true when an attempt's output may be written before it ends (see <see cref="RunOptions.LiveOutput"/>).</summary>
    public bool MayWriteLive(ItemAttempt attempt) =>
        _options.LiveOutput && (!_options.Ordered || attempt.Index == _queue.EmitHead);

    /// <summary>Worker (or remoting's thread): hands part of a running item's output to the pipeline thread.</summary>
    public void PostLive(LivePart part) => _mailbox.Post(part);

    /// <summary>Worker: begins an attempt. <paramref name="stop"/> is how the item timeout stops it.</summary>
    public ItemAttempt Begin(WorkItem item, Action<ItemAttempt>? stop, RunContext owner)
    {
        item.Attempts++;
        var attempt = new ItemAttempt(this, item, stop, owner);
        if (Watchdog is { } watchdog)
        {
            attempt.StartClock(watchdog);
        }

        return attempt;
    }

    /// <summary>Worker: an item that was handed out but never begun goes back, before new input.</summary>
    public void PutBack(WorkItem item) => _queue.Requeue(item, DateTime.UtcNow);

    internal void PutBack(ItemAttempt attempt)
    {
        attempt.Item.Attempts--;
        PutBack(attempt.Item);
    }

    internal void WorkerLost(ItemAttempt attempt, Func<int, ErrorRecord> giveUp)
    {
        WorkItem item = attempt.Item;
        int losses = item.WorkerLosses + 1;
        if (losses < MaxWorkerLosses)
        {
            // Forgiven: it does not use up a retry (see AttemptEnded), but it did run. The loss that gives up is a failure.
            item.WorkerLosses = losses;
            item.TotalDuration += attempt.Elapsed;
            // Its records and output so far are dropped: the item runs again from the start elsewhere. It
            // did start, so the attempt stays counted; retries are judged on the attempts that ended.
            PutBack(item);
            return;
        }

        ItemResult result = attempt.Result;
        result.Output = null;
        result.Failure = giveUp(losses);
        result.Status = ItemStatus.Failed;
        result.LastAttemptDuration = attempt.Elapsed;
        AttemptEnded(result);
    }

    public ErrorRecord TimeoutError(WorkItem item) => new(
        new TimeoutException($"The item ran longer than the item timeout of {Watchdog!.Timeout.TotalSeconds:0.###} s and was stopped."),
        ErrorIds.ItemTimedOut,
        ErrorCategory.OperationTimeout,
        item.Input);

    /// <summary>Worker: one attempt at an item is over. Retries it, or records and posts its result.</summary>
    internal void AttemptEnded(ItemResult result)
    {
        WorkItem item = result.Item;
        item.TotalDuration += result.LastAttemptDuration;
        result.Duration = item.TotalDuration;
        bool failed = result.Status is ItemStatus.Failed or ItemStatus.TimedOut;
        int ended = item.Attempts - item.WorkerLosses;
        if (failed && !result.NoRetry && ended <= _options.RetryCount && !_queue.IsHalted)
        {
            TimeSpan delay = RetryDelay(ended);
            if (result.RetryAfter is { } asked && asked > delay)
            {
                // The server said when to come back (Retry-After): never sooner, and never longer than the cap.
                delay = asked < MaxRetryDelay ? asked : MaxRetryDelay;
            }

            string reason = result.Failure?.Exception.Message ?? (result.Status == ItemStatus.TimedOut ? "timed out" : "wrote an error");
            _mailbox.Post(new LiveRecord(item.Index, StreamKind.Verbose, new VerboseRecord(
                $"Item [{item.Index}] failed on attempt {ended} of {_options.RetryCount + 1} ({reason}); retrying in {delay.TotalSeconds:0.##} s.")));
            _queue.Requeue(item, DateTime.UtcNow + delay);
            return;
        }

        result.Attempts = item.Attempts;
        Interlocked.Increment(ref _finished);
        if (failed)
        {
            int failures = Interlocked.Increment(ref _failed);
            if (_options.StopOnFirstError)
            {
                Halt(RunEnd.FirstError);
            }
            else if (FailureLimitReached(failures))
            {
                Halt(RunEnd.FailureLimitReached);
            }
        }

        try
        {
            Log?.Append(result);
        }
        catch (Exception ex)
        {
            _endRun(new RunOutcome(RunEnd.LogFailed, ex));
        }

        // Posted at once, not with the rest of its batch: a slow item later in the batch must not hold
        // back results that are already done.
        _mailbox.Post(result);
    }

    /// <summary>Accounts for an item that will never start, and posts it in its place.</summary>
    public void Skip(WorkItem item)
    {
        Interlocked.Increment(ref _skipped);
        _mailbox.Post(new ItemResult(item) { Status = ItemStatus.Skipped, StartTime = DateTime.Now });
    }

    public void Dispose() => Watchdog?.Dispose();

    /// <summary>Nothing new starts from now on; the items already running finish.</summary>
    private void Halt(RunEnd end)
    {
        _queue.Halt();
        _endRun(new RunOutcome(end));
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
}
