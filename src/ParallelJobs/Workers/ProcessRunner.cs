using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Reflection;
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

    private static readonly MethodInfo? ErrorFromRemote = typeof(ErrorRecord).GetMethod(
        "FromPSObjectForRemoting", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(PSObject) }, null);

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
    private Timer? _killTimer;
    private volatile bool _stopping;

    public ProcessRunner(ProcessRunnerFactory factory, RunContext context)
    {
        _factory = factory;
        _context = context;
        _stopForTimeout = StopForTimeout;
        _onRecord = OnRecord;
    }

    /// <summary>Takes a worker process now, so that a setup failure ends the run before any item.</summary>
    public void Attach()
    {
        ProcessWorker worker = _factory.Acquire(_context.Token);
        _worker = worker;
        _hooks = new StreamHooks(worker.Session.Streams, _onRecord);
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

        int next = RunRange(worker, batch, end);
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

    /// <summary>Runs batch[0..end) in one round trip; returns the position of the first item not ended.</summary>
    private int RunRange(ProcessWorker worker, IReadOnlyList<WorkItem> batch, int end)
    {
        var items = new List<(ScriptTask, bool, object?)>(end);
        for (int i = 0; i < end; i++)
        {
            WorkItem item = batch[i];
            items.Add((item.Task as ScriptTask ?? _factory.Config.DefaultTask!, item.Task is null, item.Input));
        }

        var output = new PSDataCollection<PSObject>();
        output.DataAdded += (s, e) => OnOutput(output, e.Index);
        lock (_lock)
        {
            _batch = batch;
            _position = 0;
            _end = end;
            _missing = false;
            _current = _context.Begin(batch[0], _stopForTimeout);
        }

        Exception? failure = null;
        try
        {
            worker.Session.InvokeBatch(items, 0, output, worker.Connection.Exited);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

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

        worker.Session.ClearStreams();
        if (_context.Token.IsCancellationRequested)
        {
            // Stopped with the run: nobody waits for these items any more.
            return batch.Count;
        }

        bool dead = failure is not null && !worker.IsUsable;
        if (dead)
        {
            _retire = true;
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
            else if (dead)
            {
                int? code = worker.Connection.ExitCode(TimeSpan.FromSeconds(2));
                cut.Fail(new ErrorRecord(new WorkerProcessExitedException(worker.Connection.ProcessId, code, failure), ErrorIds.WorkerProcessExited, ErrorCategory.ResourceUnavailable, cut.Input));
            }
            else if (failure is not null)
            {
                cut.Fail(failure is RemoteException { ErrorRecord: { } record } ? record : new ErrorRecord(failure, ErrorIds.WorkerFailed, ErrorCategory.NotSpecified, cut.Input));
            }
            else
            {
                // The driver returned without the item's end: the item ended the pipeline itself (exit).
                cut.Finish();
            }

            worker.ItemsRun++;
            position++;
        }

        return position;
    }

    /// <summary>Remoting's thread: an output object of the running item, or the end of it.</summary>
    private void OnOutput(PSDataCollection<PSObject> output, int index)
    {
        try
        {
            PSObject value = output[index];
            lock (_lock)
            {
                if (BatchMarker.IsItemEnd(value, out object? error))
                {
                    EndCurrent(error);
                    return;
                }

                if (BatchMarker.IsMissing(value))
                {
                    _missing = true;
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
                ended.Fail(ToErrorRecord(error, ended.Input));
            }
        }

        if (_batch is null || _position >= _end)
        {
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
        _hooks?.Dispose();
        _hooks = null;
        _worker = null;
        _retire = false;
        _factory.Release(worker, reusable);
    }

    /// <summary>The item's terminating error as the process wrote it: rebuilt as an ErrorRecord, as remoting rebuilds streamed errors.</summary>
    private static ErrorRecord ToErrorRecord(object error, object? input)
    {
        if (error is ErrorRecord record)
        {
            return record;
        }

        if (error is PSObject pso && ErrorFromRemote is not null)
        {
            try
            {
                if (ErrorFromRemote.Invoke(null, new object[] { pso }) is ErrorRecord rebuilt)
                {
                    return rebuilt;
                }
            }
            catch (Exception)
            {
                // Fall back to its text below.
            }
        }

        return new ErrorRecord(new RuntimeException(error.ToString()), ErrorIds.ItemFailed, ErrorCategory.NotSpecified, input);
    }
}
