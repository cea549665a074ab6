using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Collections;
using System.Threading;
using ParallelJobs.Engine;
using ParallelJobs.Remote;
using ParallelJobs.Scripting;

namespace ParallelJobs.Workers;

/// <summary>
/// One worker of -UseProcess: runs its batches in its own PowerShell process, a batch in one round trip
/// (<see cref="RemoteSession.InvokeBatch"/>). Output and records arrive on remoting's threads in the order
/// they were written, and an end marker after each item moves them on to the next one. A process that dies
/// under an item fails that item alone (<see cref="ErrorIds.WorkerProcessExited"/>) and is replaced; one
/// that does not stop when asked (the item timeout, Ctrl+C) is killed.
/// </summary>
internal sealed class ProcessRunner : IItemRunner
{
    /// <summary>Ctrl+C: what has not stopped by then is killed.</summary>
    private static readonly TimeSpan StopKillAfter = TimeSpan.FromSeconds(1);

    /// <summary>The item timeout: killed a little before the engine would give up on the worker.</summary>
    private static readonly TimeSpan TimeoutKillAfter = TimeSpan.FromTicks(ItemPolicy.StopGrace.Ticks * 4 / 5);

    private readonly ProcessRunnerFactory _factory;
    private readonly RunContext _context;
    private readonly Action<ItemAttempt> _stopForTimeout;
    private readonly Action<StreamKind, object> _onRecord;

    private ProcessWorker? _worker;
    private StreamHooks? _hooks;
    private bool _retire;

    // Guarded by _lock: remoting's threads end items and begin the next, the watchdog stops them.
    private readonly object _lock = new();
    private IReadOnlyList<WorkItem>? _batch;
    private int _position;
    private int _end;
    private ItemAttempt? _current;
    private bool _missing;
    private string? _setupError;
    private bool _setupPending;
    private readonly ManualResetEvent _batchDone = new(false);
    private ServePipe? _pipe;
    private readonly List<ItemAttempt> _collected = new();
    private bool _driverLost;
    private Timer? _killTimer;
    private volatile bool _stopping;

    public ProcessRunner(ProcessRunnerFactory factory, RunContext context)
    {
        _factory = factory;
        _context = context;
        _stopForTimeout = StopForTimeout;
        _onRecord = OnRecord;
    }

    /// <summary>Takes a worker process now, so that a process that cannot start ends the run before any item.</summary>
    public void Attach()
    {
        ProcessWorker worker = _factory.Acquire(_context.Token);
        _worker = worker;
        worker.CountRun();
        _hooks = new StreamHooks(worker.Session.Streams, _onRecord);

        // The pipeline the process kept open (or a new one) is ready now, while input is still coming: the first batch
        // is then a message, and carries the run's setup.
        OpenPipe(worker);
    }

    public void Run(IReadOnlyList<WorkItem> batch)
    {
        if (_context.ShouldStop)
        {
            _context.PutBackFrom(batch, 0);
            return;
        }

        if (_worker is null)
        {
            try
            {
                Attach();
            }
            catch
            {
                _context.PutBackFrom(batch, 0);
                throw;
            }
        }

        ProcessWorker worker = _worker!;
        int end = batch.Count;
        if (_factory.MaxItemsPerWorker > 0)
        {
            end = Math.Min(end, Math.Max(1, _factory.MaxItemsPerWorker - worker.ItemsRun));
        }

        int next = RunBatch(worker, batch, end, Collects(batch, end));
        if (next < batch.Count)
        {
            _context.PutBackFrom(batch, next);
        }

        if ((_factory.MaxItemsPerWorker > 0 && worker.ItemsRun >= _factory.MaxItemsPerWorker)
            || (_factory.MaxWorkerMemoryMB > 0 && worker.Connection.MemoryMB() > _factory.MaxWorkerMemoryMB))
        {
            // Recycled between items: the next batch gets a fresh process.
            _retire = true;
        }

        if (_retire)
        {
            Let(worker, reusable: false);
        }
    }

    public void Stop()
    {
        lock (_lock)
        {
            if (_batch is null)
            {
                // Between batches (the run ended while this worker was getting ready or giving back): its process is fine.
                return;
            }
        }

        _stopping = true;
        _worker?.Session.Stop();
        ScheduleKill(StopKillAfter, null);
    }

    public void Dispose()
    {
        if (_worker is { } worker)
        {
            Let(worker, reusable: !_retire && !_stopping && !_context.Abandoned);
        }
    }

    /// <summary>
    /// Sends batch[0..end) down the worker's serve pipeline (with the run's setup when it is the call's first batch or
    /// the pipeline is new) and waits for its end, the pipeline's end or the process's; returns the position of the
    /// first item not ended.
    /// </summary>
    private int RunBatch(ProcessWorker worker, IReadOnlyList<WorkItem> batch, int end, bool collect)
    {
        ServePipe pipe = OpenPipe(worker);
        Hashtable message;
        if (collect)
        {
            var inputs = new object?[end];
            for (int i = 0; i < end; i++)
            {
                inputs[i] = batch[i].Input;
            }

            RunOptions options = _context.Options;
            bool stopAtFailure = options.StopOnFirstError || options.MaxFailures is not null || options.MaxFailurePercent is not null;

            // Emptied here too: a batch that never reached the collector must not read the last one's entries.
            worker.ClearBatch();
            message = worker.Session.CollectMessage(_factory.Config.DefaultTask!, inputs, stopAtFailure);
        }
        else
        {
            var items = new List<(ScriptTask, bool, object?)>(end);
            for (int i = 0; i < end; i++)
            {
                WorkItem item = batch[i];
                items.Add((item.Task as ScriptTask ?? _factory.Config.DefaultTask!, item.Task is null, item.Input));
            }

            message = worker.Session.BatchMessage(items);
        }

        if (_setupPending)
        {
            message["Setup"] = RemoteSession.SetupMessage(_factory.Config);
            _setupPending = false;
        }

        lock (_lock)
        {
            _batch = batch;
            _position = 0;
            _end = end;
            _missing = false;
            _batchDone.Reset();
            _current = collect ? null : _context.Begin(batch[0], _stopForTimeout);
        }

        if (collect)
        {
            // Begun now, in order, though their records arrive at the batch's end: an item that is not begun does not
            // count as running, and a later item would be taken for the oldest one and written ahead of it.
            _collected.Clear();
            for (int i = 0; i < end; i++)
            {
                _collected.Add(_context.Begin(batch[i]));
            }
        }

        pipe.Send(message);
        Exception? failure = pipe.Wait(_batchDone, worker.Connection.Exited);

        ItemAttempt? cut;
        int position;
        lock (_lock)
        {
            _killTimer?.Dispose();
            _killTimer = null;
            cut = _current;
            _current = null;
            _batch = null;
            position = _position;
        }

        pipe.Output.Clear();
        worker.Session.ClearStreams();
        if (_context.Token.IsCancellationRequested)
        {
            // Stopped with the run: nobody waits for these items any more.
            return batch.Count;
        }

        if (failure is RemoteException { ErrorRecord: { Exception: { Message: ProcessScripts.DriverMissing } } })
        {
            // An item of the last call removed the driver: nothing ran; the pipeline opens again with its text.
            _driverLost = true;
            cut?.PutBack();
            PutBackCollected(0);
            return cut is null ? (collect ? end : 0) : 1;
        }

        if (_setupError is { } setupError)
        {
            // Nothing of the batch ran: it goes back, and the run ends with the setup's error.
            cut?.PutBack();
            PutBackCollected(0);
            _context.PutBackFrom(batch, cut is not null ? 1 : collect ? end : 0);
            _retire = true;
            throw new WorkerSetupException(ErrorIds.WorkerFailed, $"The run's variables and functions could not be defined {ProcessWorker.Where}: {setupError}", failure ?? new RuntimeException(setupError));
        }

        bool dead = failure is not null && !worker.IsUsable;
        if (dead)
        {
            _retire = true;
        }

        if (collect)
        {
            return EndCollected(worker, end, failure, dead);
        }

        if (cut is not null)
        {
            if (cut.TimedOut)
            {
                // Stopped (or killed) for its timeout: the attempt reports it, with the output it wrote.
                cut.Finish();
            }
            else if (_missing)
            {
                // The session lost the default task before this item ran: it goes round again, and the task with it.
                worker.Session.ForgetDefault();
                cut.PutBack();
                return position + 1;
            }
            else if (failure is not null)
            {
                FailBroken(cut, worker, failure, dead);
            }
            else
            {
                // The batch ended without the item's end: the item ended the driver itself (exit).
                cut.Finish();
            }

            worker.ItemsRun++;
            position++;
        }

        return position;
    }

    /// <summary>
    /// A collected batch has ended: its items are read from file, even when the process died after them. Every item was
    /// begun when the batch was sent; those that did not run go back. Returns <paramref name="end"/>: all are settled.
    /// </summary>
    private int EndCollected(ProcessWorker worker, int end, Exception? failure, bool dead)
    {
        if (_missing)
        {
            // The process lost the default task before the batch began: nothing ran; it goes round again with the task.
            worker.Session.ForgetDefault();
            PutBackCollected(0);
            return end;
        }

        List<CollectedEntry> entries = CollectedEntry.Split(worker.ReadBatch());
        int position = 0;
        for (; position < entries.Count && position < end; position++)
        {
            entries[position].Apply(_collected[position]);
            worker.ItemsRun++;
        }

        if (failure is not null && position < end)
        {
            // The item that was running when the batch broke.
            FailBroken(_collected[position], worker, failure, dead);

            worker.ItemsRun++;
            position++;
        }

        PutBackCollected(position);
        return end;
    }

    /// <summary>The item under which the batch broke: the process died (WorkerProcessExited, with its exit code), or the pipeline failed.</summary>
    private static void FailBroken(ItemAttempt cut, ProcessWorker worker, Exception failure, bool dead)
    {
        if (dead)
        {
            int? code = worker.Connection.ExitCode(TimeSpan.FromSeconds(2));
            cut.Fail(new ErrorRecord(new WorkerProcessExitedException(worker.Connection.ProcessId, code, failure), ErrorIds.WorkerProcessExited, ErrorCategory.ResourceUnavailable, cut.Input));
        }
        else
        {
            cut.Fail(failure is RemoteException { ErrorRecord: { } record } ? record : new ErrorRecord(failure, ErrorIds.WorkerFailed, ErrorCategory.NotSpecified, cut.Input));
        }
    }

    /// <summary>The begun items of a collected batch from <paramref name="from"/> on never ran: they go back.</summary>
    private void PutBackCollected(int from)
    {
        for (int i = from; i < _collected.Count; i++)
        {
            _collected[i].PutBack();
        }

        _collected.Clear();
    }

    /// <summary>
    /// The worker's serve pipeline, the run's setup due with its next batch: the process's open one, or a new one when
    /// it is not running (an item ended it: exit, a stop for its timeout, a removed driver).
    /// </summary>
    private ServePipe OpenPipe(ProcessWorker worker)
    {
        if (_pipe is { IsRunning: true } open)
        {
            return open;
        }

        _setupError = null;
        _pipe = worker.Pipe(OnOutput, _driverLost);
        _driverLost = false;

        // The reset after the last call (or a new pipeline) left the process without the task, and without the run's
        // variables and functions: they go with the next batch (one message instead of two; 35 ms of the seed example).
        worker.Session.ForgetDefault();
        _setupPending = true;
        return _pipe;
    }

    /// <summary>
    /// A batch of several items of the default task comes back collected (<see cref="BatchCollector"/>) unless an item
    /// must be watched while it runs: a timeout stops it there, -RatePerSecond paces its start. Otherwise an item's
    /// output would stream anyway only while it runs, and a batch is sized to take less than a fifth of a second.
    /// </summary>
    private bool Collects(IReadOnlyList<WorkItem> batch, int end)
    {
        RunOptions options = _context.Options;
        if (end < 2 || !BatchFile.CanWrite || options.ItemTimeout is not null || options.StartPacer is not null || _factory.Config.DefaultTask is null)
        {
            return false;
        }

        for (int i = 0; i < end; i++)
        {
            if (batch[i].Task is not null)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Remoting's thread: an output object of the running item, the end of it, or of the batch.</summary>
    private void OnOutput(PSObject? value)
    {
        try
        {
            lock (_lock)
            {
                if (value is null)
                {
                    // $null written by the item: kept, as ForEach-Object -Parallel keeps it (no marker is null).
                    _current?.AddOutput(null);
                    return;
                }

                if (BatchMarker.IsBatchEnd(value))
                {
                    _batchDone.Set();
                    return;
                }

                if (BatchMarker.IsItemEnd(value, out object? error))
                {
                    EndCurrent(error);
                    return;
                }

                if (BatchMarker.IsMissing(value))
                {
                    // The driver stops the batch there.
                    _missing = true;
                    _batchDone.Set();
                    return;
                }

                if (BatchMarker.IsSetupFailed(value, out object? why))
                {
                    _setupError = why is PSObject { BaseObject: ErrorRecord } or ErrorRecord ? RemoteRecords.Error(why, null).ToString() : why?.ToString();
                    return;
                }

                _current?.AddOutput(value);
            }
        }
        catch (Exception)
        {
            // Must not break the session; the item's end still comes.
        }
    }

    /// <summary>Under _lock: ends the running item and begins the next one of the batch, unless the run halted.</summary>
    private void EndCurrent(object? error)
    {
        ItemAttempt? ended = _current;
        _current = null;
        if (ended is not null)
        {
            _position++;
            _worker!.ItemsRun++;
            if (error is null)
            {
                ended.Finish();
            }
            else
            {
                ended.Fail(RemoteRecords.Error(error, ended.Input));
            }
        }

        if (_batch is null || _position >= _end)
        {
            // The batch's last item: a batch of items has no end marker of its own.
            _batchDone.Set();
            return;
        }

        if (_context.ShouldStop)
        {
            // No item starts after the failure that ended the run: the rest goes back.
            _worker!.Session.Stop();
            return;
        }

        _current = _context.Begin(_batch[_position], _stopForTimeout);
    }

    private void OnRecord(StreamKind kind, object record)
    {
        lock (_lock)
        {
            if (_current is not { } current)
            {
                if (kind != StreamKind.Progress)
                {
                    _context.Post(kind, record);
                }

                return;
            }

            if (kind == StreamKind.Progress)
            {
                _context.PostLive(current.Index, kind, record);
                return;
            }

            current.AddRecord(kind, record);
        }
    }

    /// <summary>Watchdog thread: <paramref name="attempt"/> outlived -ItemTimeoutSeconds.</summary>
    private void StopForTimeout(ItemAttempt attempt)
    {
        lock (_lock)
        {
            if (_current != attempt)
            {
                return;
            }
        }

        _worker?.Session.Stop();
        ScheduleKill(TimeoutKillAfter, attempt);
    }

    /// <summary>Kills the process if, after <paramref name="delay"/>, it still runs <paramref name="attempt"/> (any item when null).</summary>
    private void ScheduleKill(TimeSpan delay, ItemAttempt? attempt)
    {
        ProcessWorker? worker = _worker;
        if (worker is null)
        {
            return;
        }

        lock (_lock)
        {
            _killTimer?.Dispose();
            _killTimer = new Timer(_ =>
            {
                bool kill;
                lock (_lock)
                {
                    kill = _batch is not null && (attempt is null || _current == attempt);
                }

                if (kill)
                {
                    worker.Connection.Kill();
                }
            }, null, delay, Timeout.InfiniteTimeSpan);
        }
    }

    private void Let(ProcessWorker worker, bool reusable)
    {
        ServePipe? pipe = _pipe is { IsRunning: true } ? _pipe : null;
        _pipe = null;
        _hooks?.Dispose();
        _hooks = null;
        _worker = null;
        _retire = false;

        // The reset is a message on the pipeline the process keeps open: the call does not wait for its answer.
        _factory.Release(worker, reusable, pipe);
    }
}
