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
    private readonly ScriptBlockCache _compiled = new();
    private readonly List<PSVariable> _variables = new();
    private readonly Action _runBatch;
    private readonly Action<object?> _onThrew;
    private readonly Action<object?> _onOutput;
    private bool _sharedScopeAllowed;
    private int _itemSlot = -1;
    private WorkerRunspace? _runspace;
    private PowerShell? _ps;
    private IReadOnlyList<WorkItem>? _batch;
    private IItemSink? _sink;
    private ItemResult? _current;
    private int _finishedInBatch;
    private CancellationToken _token;
    private readonly RunContext _context;
    private readonly object _timeoutLock = new();
    private WorkItem? _timedOut;
    private bool _stopRequested;

    public ScriptRunner(ScriptConfig config, Func<CancellationToken, WorkerRunspace> acquire, Action<WorkerRunspace, bool> release, RunContext context)
    {
        _config = config;
        _acquire = acquire;
        _release = release;
        _context = context;
        _runBatch = RunBatch;
        _onThrew = OnItemThrew;
        _onOutput = OnSharedOutput;
        Attach(context.Token);
    }

    public void Run(IReadOnlyList<WorkItem> batch, IItemSink sink, CancellationToken token)
    {
        if (_ps is null)
        {
            Attach(token);
        }

        _batch = batch;
        _sink = sink;
        _token = token;
        _finishedInBatch = 0;
        using CancellationTokenRegistration stop = token.Register(StopPipeline);
        try
        {
            _ps!.Invoke();

            // A stopped pipeline does not always throw: check whether the watchdog cut the batch short.
            if (_stopRequested && !token.IsCancellationRequested)
            {
                FinishTimedOutBatch(batch, sink);
            }
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            // Stopped: the run is over and nobody waits for the rest of this batch.
        }
        catch (Exception) when (_stopRequested)
        {
            FinishTimedOutBatch(batch, sink);
        }
        catch (Exception ex)
        {
            // The driver itself failed: report every item it did not get to, rather than lose them.
            var error = new ErrorRecord(ex, "WorkerFailed", ErrorCategory.NotSpecified, null);
            for (int i = _finishedInBatch; i < batch.Count; i++)
            {
                var result = new ItemResult(batch[i]) { StartTime = DateTime.Now, Failure = error, Status = ItemStatus.Failed };
                sink.Complete(result);
            }
        }
        finally
        {
            _stopRequested = false;
            _timedOut = null;
            _ps!.Streams.ClearStreams();
            _batch = null;
            _current = null;
        }

        if (_config.UseNewRunspace)
        {
            Detach(reusable: false);
        }
    }

    public void Dispose() => Detach(reusable: true);

    /// <summary>Called by the driver script, on this worker's thread, inside the pipeline.</summary>
    private void RunBatch()
    {
        IReadOnlyList<WorkItem> batch = _batch!;
        ScriptTask? shared = _sharedScopeAllowed ? _config.DefaultTask : null;
        if (shared?.SharedScopeText is not null && batch.Count > 1 && AllDefault(batch))
        {
            RunSharedScope(batch, shared);
        }

        for (int i = _finishedInBatch; i < batch.Count; i++)
        {
            if (_token.IsCancellationRequested)
            {
                return;
            }

            WorkItem item = batch[i];
            _runspace!.PrepareItem();
            ItemResult result = ItemResult.Begin(item);
            ScriptTask task = item.Task as ScriptTask ?? _config.DefaultTask!;
            ScriptBlock script = _compiled.Get(task.Text);

            _variables.Clear();
            _variables.Add(new PSVariable("_", item.Input));
            for (int u = 0; u < task.UsingNames.Length; u++)
            {
                _variables.Add(new PSVariable(task.UsingNames[u], task.UsingValues[u]));
            }

            _current = result;
            int slot = StartClock(item);
            try
            {
                Collection<PSObject> output = script.InvokeWithContext(null, _variables, task.Arguments);
                result.Output = output.Count == 0 ? null : output;
            }
            catch (PipelineStoppedException)
            {
                _current = null;
                throw;
            }
            catch (RuntimeException ex)
            {
                result.Failure = ex.ErrorRecord;
            }
            catch (Exception ex) when (IsFlowControl(ex))
            {
                // break, continue or exit outside a loop ends this item only, as in a foreach body.
            }
            catch (Exception ex)
            {
                result.Failure = new ErrorRecord(ex, "ItemFailed", ErrorCategory.NotSpecified, item.Input);
            }
            finally
            {
                _context.Watchdog?.End(slot);
            }

            lock (_timeoutLock)
            {
                _current = null;
            }

            result.End();

            lock (_timeoutLock)
            {
                if (_timedOut == item)
                {
                    // The item finished just as the watchdog fired: the stop lands on whatever runs next.
                    _timedOut = null;
                }
            }

            _finishedInBatch = i + 1;
            _sink!.Complete(result);
        }
    }

    /// <summary>
    /// Starts the item's -ItemTimeoutSeconds clock, if there is one. The closure is made in a method of its
    /// own: C# allocates a captured variable's closure where its scope starts, which in the callers would be
    /// once per item even with no timeout.
    /// </summary>
    private int StartClock(WorkItem item) => _context.Watchdog is { } watchdog ? StartClock(watchdog, item) : -1;

    private int StartClock(ItemWatchdog watchdog, WorkItem item) => watchdog.Begin(() => AbortForTimeout(item));

    /// <summary>Watchdog thread: the item outlived -ItemTimeoutSeconds; stop the pipeline it runs in.</summary>
    private void AbortForTimeout(WorkItem item)
    {
        lock (_timeoutLock)
        {
            if (_current?.Item != item)
            {
                return;
            }

            _timedOut = item;
            _stopRequested = true;
        }

        StopPipeline();
    }

    /// <summary>
    /// The batch was stopped because one item timed out: report that item, and put back the items
    /// after it, which never started (or started only as the stop landed).
    /// </summary>
    private void FinishTimedOutBatch(IReadOnlyList<WorkItem> batch, IItemSink sink)
    {
        WorkItem? timedOut = _timedOut;
        for (int i = _finishedInBatch; i < batch.Count; i++)
        {
            WorkItem item = batch[i];
            if (item == timedOut)
            {
                sink.Complete(new ItemResult(item)
                {
                    StartTime = DateTime.Now - _context.Watchdog!.Timeout,
                    Duration = _context.Watchdog.Timeout,
                    Status = ItemStatus.TimedOut,
                    Failure = ItemResult.TimeoutError(item, _context.Watchdog.Timeout),
                });
                continue;
            }

            if (i == _finishedInBatch && item.Attempts > 0 && _current?.Item == item)
            {
                item.Attempts--;
            }

            _context.Dispatcher.Requeue(item, DateTime.UtcNow);
        }
    }

    /// <summary>
    /// Runs the batch as one pipeline in one scope (the script was found not to leave state behind but for
    /// the variables it clears per item). Items it could not finish fall back to the per-item path.
    /// </summary>
    private void RunSharedScope(IReadOnlyList<WorkItem> batch, ScriptTask task)
    {
        _variables.Clear();
        _variables.Add(new PSVariable(ScriptTaskBuilder.FeedVariable, new SharedScopeFeed(batch.Count, i => StartShared(batch[i]), FinishShared)));
        for (int u = 0; u < task.UsingNames.Length; u++)
        {
            _variables.Add(new PSVariable(task.UsingNames[u], task.UsingValues[u]));
        }

        Action<object?>? outerSink = SharedScopeOutput.Swap(_onOutput);
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
            _current.Failure ??= ex is RuntimeException rex ? rex.ErrorRecord : new ErrorRecord(ex, "ItemFailed", ErrorCategory.NotSpecified, _current.Item.Input);
            FinishShared();
        }
        catch (Exception)
        {
            // Failed before the first item started: the per-item path runs them all.
        }
        finally
        {
            SharedScopeOutput.Swap(outerSink);
        }
    }

    private object? StartShared(WorkItem item)
    {
        _runspace!.PrepareItem();
        ItemResult result = ItemResult.Begin(item);
        _itemSlot = StartClock(item);
        lock (_timeoutLock)
        {
            _current = result;
        }

        return item.Input;
    }

    private void FinishShared()
    {
        ItemResult? result = _current;
        if (result is null)
        {
            return;
        }

        _context.Watchdog?.End(_itemSlot);
        lock (_timeoutLock)
        {
            _current = null;
            if (_timedOut == result.Item)
            {
                _timedOut = null;
            }
        }

        result.End();

        _finishedInBatch++;
        _sink!.Complete(result);
    }

    private void OnSharedOutput(object? output)
    {
        if (_current is not { } result)
        {
            return;
        }

        // Most items write one object: an array of one is a third of the size of a list.
        switch (result.Output)
        {
            case null:
                result.Output = new[] { output };
                break;
            case object?[] one:
                result.Output = new List<object?> { one[0], output };
                break;
            default:
                result.Output.Add(output);
                break;
        }
    }

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
            _current.Failure = record;
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
                ["ParallelJob"] = new ParallelJobContext(_context.Dispatcher),
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
        streams.Progress.DataAdded += (s, e) => _sink?.Live(_current?.Index ?? -1, StreamKind.Progress, streams.Progress[e.Index]);
    }

    /// <summary>Clearing a variable that also exists globally would hide the global from the item.</summary>
    private bool SharedScopeFits(WorkerRunspace runspace)
    {
        if (_config.DefaultTask?.SharedScopeText is null)
        {
            return false;
        }

        foreach (string name in _config.DefaultTask.SharedScopeResets)
        {
            if (!name.Equals("Matches", StringComparison.OrdinalIgnoreCase) && runspace.Runspace.SessionStateProxy.PSVariable.Get(name) is not null)
            {
                return false;
            }
        }

        return true;
    }

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
        if (_current is not null)
        {
            _current.AddRecord(kind, record);
        }
        else
        {
            _sink?.Live(-1, kind, record);
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

    private static bool IsFlowControl(Exception ex)
    {
        for (Type? type = ex.GetType(); type is not null; type = type.BaseType)
        {
            if (type.Name == "FlowControlException")
            {
                return true;
            }
        }

        return false;
    }
}
