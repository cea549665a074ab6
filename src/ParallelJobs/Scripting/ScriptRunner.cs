using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Management.Automation;
using System.Threading;
using ParallelJobs.Engine;

namespace ParallelJobs.Scripting;

/// <summary>
/// Runs script items in one worker runspace. A batch is one PowerShell invocation of a tiny driver that
/// calls back into <see cref="RunBatch"/>; each item then runs with InvokeWithContext, which gives it a
/// fresh scope and <c>$_</c> at a few microseconds, while PowerShell.Stop can still interrupt it.
/// Stream events fire on this worker's thread, so every record is charged to the item that wrote it.
/// </summary>
internal sealed class ScriptRunner : IItemRunner
{
    private const string DriverScript = "param($__pjRun) $__pjRun.Invoke()";

    private readonly ScriptConfig _config;
    private readonly Func<CancellationToken, WorkerRunspace> _acquire;
    private readonly Action<WorkerRunspace, bool> _release;
    private readonly RunContext _context;
    private readonly ScriptBlockCache _compiled = new();
    private readonly List<PSVariable> _variables = new();
    private readonly Action _runBatch;
    private readonly Action<object?> _onThrew;
    private readonly Action<object?> _onOutput;
    private readonly Action<ItemAttempt> _stopForTimeout;
    private readonly Func<bool> _mayStart;
    private readonly Func<int, object?> _startShared;
    private readonly Action _finishShared;
    private bool _sharedScopeAllowed;
    private WorkerRunspace? _runspace;
    private PowerShell? _ps;
    private IReadOnlyList<WorkItem>? _batch;

    // The batch's first item not ended yet; the attempt running now is at this position.
    private int _position;

    // Guarded by _gate: the attempt running now, which the watchdog may stop. Written on this worker's
    // thread only, so the worker reads it without the lock.
    private readonly object _gate = new();
    private ItemAttempt? _current;
    private ErrorRecord? _thrown;
    private volatile bool _stoppedForTimeout;

    public ScriptRunner(ScriptConfig config, Func<CancellationToken, WorkerRunspace> acquire, Action<WorkerRunspace, bool> release, RunContext context)
    {
        _config = config;
        _acquire = acquire;
        _release = release;
        _context = context;
        _runBatch = RunBatch;
        _onThrew = OnItemThrew;
        _onOutput = OnSharedOutput;
        _stopForTimeout = StopForTimeout;
        _mayStart = () => !_context.ShouldStop;
        _startShared = StartShared;
        _finishShared = FinishShared;
        Attach(context.Token);
    }

    public void Run(IReadOnlyList<WorkItem> batch)
    {
        CancellationToken token = _context.Token;
        if (_ps is null)
        {
            Attach(token);
        }

        _batch = batch;
        _position = 0;
        try
        {
            _ps!.Invoke();
        }
        catch (Exception) when (token.IsCancellationRequested || _stoppedForTimeout)
        {
            // Stopped: for the run (nobody waits for this batch any more), or for an item's timeout
            // (settled below).
        }
        catch (Exception ex)
        {
            // The driver itself failed: fail the items it did not get to, rather than lose them.
            var error = new ErrorRecord(ex, ErrorIds.WorkerFailed, ErrorCategory.NotSpecified, null);
            if (SetCurrent(null) is { } running)
            {
                running.Fail(error);
                _position++;
            }

            for (int i = _position; i < batch.Count; i++)
            {
                _context.Begin(batch[i]).Fail(error);
            }

            _position = batch.Count;
        }
        finally
        {
            if (!token.IsCancellationRequested)
            {
                // A timed-out item ends as such, with the output it wrote; one that the stop caught as it
                // began, and the items after it, never really ran: they go back in the queue.
                ItemAttempt? cut = SetCurrent(null);
                if (cut is not null)
                {
                    if (cut.TimedOut)
                    {
                        cut.Finish();
                    }
                    else
                    {
                        cut.PutBack();
                    }

                    _position++;
                }

                _context.PutBackFrom(batch, _position);
            }

            _stoppedForTimeout = false;
            _ps!.Streams.ClearStreams();
            _batch = null;
        }

        if (_config.UseNewRunspace)
        {
            Detach(reusable: false);
        }
    }

    public void Stop() => StopPipeline();

    /// <summary>An abandoned worker's runspace may still run the stuck item's leftovers: never reused.</summary>
    public void Dispose() => Detach(reusable: !_context.Abandoned);

    /// <summary>Called by the driver script, on this worker's thread, inside the pipeline.</summary>
    private void RunBatch()
    {
        // Every output object reaches the running attempt as it is written, in both paths below.
        Action<object?>? outerSink = SharedScopeOutput.Swap(_onOutput);
        try
        {
            RunBatchItems();
        }
        finally
        {
            SharedScopeOutput.Swap(outerSink);
        }
    }

    private void RunBatchItems()
    {
        IReadOnlyList<WorkItem> batch = _batch!;
        ScriptTask? shared = _sharedScopeAllowed ? _config.DefaultTask : null;
        if (shared?.SharedScopeText is not null && batch.Count > 1 && AllDefault(batch))
        {
            RunSharedScope(batch, shared);
        }

        for (int i = _position; i < batch.Count; i++)
        {
            if (_context.ShouldStop)
            {
                // Halted or stopped: the rest are put back (and then never start).
                return;
            }

            WorkItem item = batch[i];
            ScriptTask task = item.Task as ScriptTask ?? _config.DefaultTask!;
            _runspace!.PrepareItem(task);
            ItemAttempt attempt = _context.Begin(item, _stopForTimeout);
            ScriptBlock script = _compiled.Get(task.StreamingText ?? task.Text);

            _variables.Clear();
            _variables.Add(new PSVariable("_", item.Input));
            for (int u = 0; u < task.UsingNames.Length; u++)
            {
                _variables.Add(new PSVariable(task.UsingNames[u], task.UsingValues[u]));
            }

            SetCurrent(attempt);
            ErrorRecord? failure = null;
            try
            {
                // The output was handed on as it was written; anything left here came past the stream.
                foreach (PSObject left in script.InvokeWithContext(null, _variables, task.Arguments))
                {
                    attempt.AddOutput(left);
                }
            }
            catch (PipelineStoppedException)
            {
                // The run's stop or the item timeout: Run settles the attempt.
                throw;
            }
            catch (RuntimeException ex)
            {
                failure = ex.ErrorRecord;
            }
            catch (FlowControlException)
            {
                // break, continue or exit outside a loop ends this item only, as in a foreach body.
            }
            catch (Exception ex)
            {
                failure = new ErrorRecord(ex, ErrorIds.ItemFailed, ErrorCategory.NotSpecified, item.Input);
            }

            EndCurrent(failure);
        }
    }

    /// <summary>Sets the running attempt under the lock the watchdog reads it with; returns the one it replaces.</summary>
    private ItemAttempt? SetCurrent(ItemAttempt? attempt)
    {
        lock (_gate)
        {
            ItemAttempt? previous = _current;
            _current = attempt;
            _thrown = null;
            return previous;
        }
    }

    /// <summary>The running item got to its end (it may have timed out meanwhile: the attempt knows).</summary>
    private void EndCurrent(ErrorRecord? failure)
    {
        ErrorRecord? thrown = _thrown;
        ItemAttempt? attempt = SetCurrent(null);
        if (attempt is null)
        {
            return;
        }

        _position++;
        failure ??= thrown;
        if (failure is null)
        {
            attempt.Finish();
        }
        else
        {
            attempt.Fail(failure);
        }
    }

    /// <summary>Watchdog thread: <paramref name="attempt"/> outlived -ItemTimeoutSeconds; stop the pipeline it runs in.</summary>
    private void StopForTimeout(ItemAttempt attempt)
    {
        lock (_gate)
        {
            if (_current != attempt)
            {
                return;
            }

            _stoppedForTimeout = true;
        }

        StopPipeline();
    }

    /// <summary>
    /// Runs the batch as one pipeline in one scope (the script was found not to leave state behind but for
    /// the variables it clears per item). Items it could not finish fall back to the per-item path.
    /// </summary>
    private void RunSharedScope(IReadOnlyList<WorkItem> batch, ScriptTask task)
    {
        _variables.Clear();
        _variables.Add(new PSVariable(ScriptTaskBuilder.FeedVariable, new SharedScopeFeed(batch.Count, _mayStart, _startShared, _finishShared)));
        for (int u = 0; u < task.UsingNames.Length; u++)
        {
            _variables.Add(new PSVariable(task.UsingNames[u], task.UsingValues[u]));
        }

        try
        {
            _compiled.Get(task.SharedScopeText!).InvokeWithContext(null, _variables, task.Arguments);
        }
        catch (PipelineStoppedException)
        {
            throw;
        }
        catch (Exception ex) when (_current is not null)
        {
            // Something outside the item's own try (a flow-control escape, a binding error) ended the pipeline:
            // charge it to the current item; the items after it run one by one.
            EndCurrent(ex is FlowControlException ? null : ex is RuntimeException rex ? rex.ErrorRecord
                : new ErrorRecord(ex, ErrorIds.ItemFailed, ErrorCategory.NotSpecified, _current.Input));
        }
        catch (Exception)
        {
            // Failed before the first item started: the per-item path runs them all.
        }
    }

    private object? StartShared(int index)
    {
        _runspace!.PrepareItem(_config.DefaultTask!);
        WorkItem item = _batch![index];
        SetCurrent(_context.Begin(item, _stopForTimeout));
        return item.Input;
    }

    private void FinishShared() => EndCurrent(null);

    private void OnSharedOutput(object? output) => _current?.AddOutput(output);

    private static bool AllDefault(IReadOnlyList<WorkItem> batch)
    {
        foreach (WorkItem item in batch)
        {
            if (item.Task is not null)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The wrapped script's catch block calls this when the item throws.</summary>
    private void OnItemThrew(object? error)
    {
        object? value = error is PSObject pso ? pso.BaseObject : error;
        if (_current is not null && value is ErrorRecord record)
        {
            _thrown = record;
        }
    }

    private void Attach(CancellationToken token)
    {
        WorkerRunspace runspace = _acquire(token);
        try
        {
            runspace.ApplyRun(_config, new Dictionary<string, object?>
            {
                [ScriptTaskBuilder.FailCallbackVariable] = _onThrew,
                ["ParallelJob"] = _context.Job,
            });
        }
        catch
        {
            _release(runspace, false);
            throw;
        }

        _runspace = runspace;
        _sharedScopeAllowed = SharedScopeFits(runspace);
        _ps = PowerShell.Create();
        _ps.Runspace = runspace.Runspace;
        _ps.AddScript(DriverScript).AddParameter("__pjRun", _runBatch);
        PSDataStreams streams = _ps.Streams;
        streams.Error.DataAdded += (s, e) => Record(StreamKind.Error, streams.Error[e.Index]);
        streams.Warning.DataAdded += (s, e) => Record(StreamKind.Warning, streams.Warning[e.Index]);
        streams.Verbose.DataAdded += (s, e) => Record(StreamKind.Verbose, streams.Verbose[e.Index]);
        streams.Debug.DataAdded += (s, e) => Record(StreamKind.Debug, streams.Debug[e.Index]);
        streams.Information.DataAdded += (s, e) => Record(StreamKind.Information, streams.Information[e.Index]);
        streams.Progress.DataAdded += (s, e) => _context.PostLive(_current?.Index ?? -1, StreamKind.Progress, streams.Progress[e.Index]);
    }

    /// <summary>Clearing a variable that also exists globally would hide the global from the item.</summary>
    private bool SharedScopeFits(WorkerRunspace runspace) =>
        _config.DefaultTask?.SharedScopeText is not null
        && SharedScopeAnalyzer.FitsBeside(_config.DefaultTask.SharedScopeResets, name => runspace.Runspace.SessionStateProxy.PSVariable.Get(name) is not null);

    private void Detach(bool reusable)
    {
        PowerShell? ps = _ps;
        WorkerRunspace? runspace = _runspace;
        _ps = null;
        _runspace = null;
        ps?.Dispose();
        if (runspace is not null)
        {
            _release(runspace, reusable && !_config.UseNewRunspace);
        }
    }

    private void Record(StreamKind kind, object record)
    {
        if (_current is { } attempt)
        {
            attempt.AddRecord(kind, record);
        }
        else
        {
            _context.Post(kind, record);
        }
    }

    private void StopPipeline()
    {
        try
        {
            _ps?.BeginStop(null, null);
        }
        catch (Exception)
        {
            // Already finished or disposed: nothing to stop.
        }
    }
}
