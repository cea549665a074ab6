using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;

namespace ParallelJobs.Engine;

/// <summary>
/// One attempt at one item, begun by the engine for a runner (<see cref="RunContext.Begin"/>). The runner
/// records output and stream records through it and then ends it exactly once: <see cref="Finish"/>,
/// <see cref="Fail"/>, <see cref="PutBack"/> (it never really started) or <see cref="WorkerLost"/>.
/// Counting, the clock, the item timeout and what follows the end (retry, failure limit, log) are the
/// engine's: no runner touches them.
/// </summary>
internal sealed class ItemAttempt
{
    private const int Running = 0;
    private const int DeadlinePassed = 1;
    private const int Ended = 2;

    private readonly ItemPolicy _policy;
    private readonly RunContext? _owner;
    private readonly Action<ItemAttempt>? _stop;
    private long _started;

    // Guarded by lock (this): settles the item timeout (watchdog thread) against the end (worker thread).
    private int _state;
    private int _watch = -1;

    // This attempt writes as it goes (see RunOptions.LiveOutput); its runner's thread only.
    private bool _live;

    internal ItemAttempt(ItemPolicy policy, WorkItem item, Action<ItemAttempt>? stop, RunContext? owner)
    {
        _policy = policy;
        _owner = owner;
        _stop = stop;
        Item = item;
        Result = new ItemResult(item) { StartTime = DateTime.Now };
        _started = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    /// <summary>The attempt ran elsewhere and is reported after the fact (a collected batch): its clock starts <paramref name="elapsed"/> back.</summary>
    internal void RanFor(TimeSpan elapsed) =>
        _started = System.Diagnostics.Stopwatch.GetTimestamp() - (long)(elapsed.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);

    /// <summary>An attempt that counts for nothing: begun by a worker the engine has already given up on.</summary>
    internal static ItemAttempt Detached(ItemPolicy policy, WorkItem item) => new(policy, item, null, null) { _state = Ended };

    public WorkItem Item { get; }

    public long Index => Item.Index;

    public object? Input => Item.Input;

    /// <summary>What this attempt produced so far; the engine hands it on when the attempt ends.</summary>
    internal ItemResult Result { get; }

    /// <summary>True once the item outlived -ItemTimeoutSeconds: whatever ends the attempt, it timed out.</summary>
    public bool TimedOut => Volatile.Read(ref _state) == DeadlinePassed;

    /// <summary>The host the attempt runs on (remote runs), shown with its records.</summary>
    public string? HostName
    {
        get => Result.HostName;
        set => Result.HostName = value;
    }

    /// <summary>Adds one output object, in order.</summary>
    public void AddOutput(object? value)
    {
        if (Volatile.Read(ref _state) == Ended)
        {
            // A stale worker writing after the engine ended its attempt for it.
            return;
        }

        if (_live || GoLive())
        {
            _policy.PostLive(new LivePart(Result, null, new[] { value }));
            return;
        }

        // Most items write one object: an array of one is a third of the size of a list.
        switch (Result.Output)
        {
            case null:
                Result.Output = new[] { value };
                break;
            case object?[] one:
                Result.Output = new List<object?> { one[0], value };
                break;
            default:
                Result.Output.Add(value);
                break;
        }
    }

    /// <summary>Sets the whole output at once (a runner that collects it itself).</summary>
    public void SetOutput(IList? output)
    {
        if (Volatile.Read(ref _state) != Ended)
        {
            Result.Output = output is null || output.Count == 0 ? null : output;
        }
    }

    public void AddRecord(StreamKind kind, object record)
    {
        if (Volatile.Read(ref _state) == Ended)
        {
            return;
        }

        if (_live || GoLive())
        {
            if (kind == StreamKind.Error)
            {
                Result.CountError();
            }

            _policy.PostLive(new LivePart(Result, new List<StreamRecord> { new(kind, record) }, null));
            return;
        }

        Result.AddRecord(kind, record);
    }

    /// <summary>
    /// Starts writing as it goes once the engine allows it (unordered, or the oldest unfinished item):
    /// what was kept so far goes first.
    /// </summary>
    private bool GoLive()
    {
        if (!_policy.MayWriteLive(this))
        {
            return false;
        }

        _live = true;
        if (Result.Records is not null || Result.Output is not null)
        {
            _policy.PostLive(new LivePart(Result, Result.TakeRecords(), Result.Output));
            Result.Output = null;
        }

        return true;
    }

    /// <summary>The item ran to its end; it failed if it wrote an error.</summary>
    public void Finish() => End(null, retryable: true, retryAfter: null);

    /// <summary>The item ended with a terminating error.</summary>
    /// <param name="retryable">False when another attempt cannot help: -RetryCount leaves it alone.</param>
    /// <param name="retryAfter">The least wait before a retry that the failure asked for (HTTP Retry-After).</param>
    public void Fail(ErrorRecord error, bool retryable = true, TimeSpan? retryAfter = null) => End(error, retryable, retryAfter);

    /// <summary>The item never really started (its batch was cut short): it goes back in the queue, uncounted.</summary>
    public void PutBack()
    {
        if (Settle() is not null)
        {
            _policy.PutBack(this);
        }
    }

    /// <summary>
    /// The worker under the item was lost (a broken session): the item runs again elsewhere (the attempt
    /// counts as a start, not as a failure that uses up a retry), unless workers were lost under it too often; then it fails with <paramref name="giveUp"/>'s error,
    /// given the number of losses.
    /// </summary>
    public void WorkerLost(Func<int, ErrorRecord> giveUp)
    {
        if (Settle() is not null)
        {
            _policy.WorkerLost(this, giveUp);
        }
    }

    internal void StartClock(ItemWatchdog watchdog)
    {
        lock (this)
        {
            _watch = watchdog.Begin(this);
        }
    }

    /// <summary>Watchdog thread: the deadline passed. The first of this and the end wins.</summary>
    internal void OnDeadline()
    {
        lock (this)
        {
            if (_state != Running)
            {
                return;
            }

            _state = DeadlinePassed;
        }

        _stop?.Invoke(this);
    }

    /// <summary>
    /// Watchdog thread: the stop did not end the item within the grace period (a blocking .NET call, a tight
    /// loop). The engine gives up on its worker: the item ends as timed out, and a fresh worker takes over.
    /// </summary>
    internal void OnGraceOver()
    {
        if (Volatile.Read(ref _state) == DeadlinePassed)
        {
            _owner?.Abandon(this);
        }
    }

    /// <summary>The engine gave up on the worker under this attempt: it ends now, from this thread, with what it wrote so far.</summary>
    internal void EndAbandoned()
    {
        if (!TimedOut)
        {
            // Stopped with the run, not by its own timeout: it is not reported, as the run is over.
            Settle();
            return;
        }

        if (Result.Output is { } output)
        {
            // The stale thread may still hold the list: the result gets a copy of its own.
            var copy = new object?[output.Count];
            output.CopyTo(copy, 0);
            Result.Output = copy;
        }

        End(null, retryable: true, retryAfter: null);
    }

    internal TimeSpan Elapsed => TimeSpan.FromSeconds((System.Diagnostics.Stopwatch.GetTimestamp() - _started) / (double)System.Diagnostics.Stopwatch.Frequency);

    private void End(ErrorRecord? error, bool retryable, TimeSpan? retryAfter)
    {
        bool? timedOut = Settle();
        if (timedOut is null)
        {
            return;
        }

        ItemResult result = Result;
        if (timedOut.Value)
        {
            // The output written before the stop stays; the error says why it ended.
            result.Status = ItemStatus.TimedOut;
            result.Failure = _policy.TimeoutError(Item);
        }
        else if (error is not null)
        {
            result.Failure = error;
            result.NoRetry = !retryable;
            result.RetryAfter = retryAfter;
        }

        result.LastAttemptDuration = Elapsed;
        if (result.HasErrors && result.Status == ItemStatus.Completed)
        {
            result.Status = ItemStatus.Failed;
        }

        _policy.AttemptEnded(result);
    }

    /// <summary>Ends the attempt once: null when it had ended already, else whether its deadline had passed.</summary>
    private bool? Settle()
    {
        int watch;
        bool timedOut;
        lock (this)
        {
            if (_state == Ended)
            {
                return null;
            }

            timedOut = _state == DeadlinePassed;
            _state = Ended;
            watch = _watch;
        }

        if (watch >= 0)
        {
            _policy.Watchdog?.End(watch);
        }

        _owner?.AttemptEnded(this);
        return timedOut;
    }
}
