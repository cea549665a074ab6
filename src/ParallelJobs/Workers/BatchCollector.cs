using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Management.Automation;
using System.Text;
using ParallelJobs.Scripting;

namespace ParallelJobs.Workers;

/// <summary>
/// Infrastructure of -UseProcess that runs inside a worker process (its driver, <c>__pjCollectBatch</c>, calls
/// <see cref="Run"/>); not meant to be called by users. Runs a batch of items in a nested pipeline whose streams
/// it holds, and appends each item's output, records and error, serialized as remoting serializes output, to the
/// worker's batch file as soon as the item ends (<see cref="BatchFile"/> reads it back). Why not remoting's own
/// stream: each object it sends is a message that costs about 100 µs, more than a fast item; and why a file
/// rather than one object at the end: a process that dies under an item must not take the results of the items
/// before it with it.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class BatchCollector
{
    /// <summary>The depth remoting serializes output with (its fragmentor's), so both paths give the same objects.</summary>
    internal const int Depth = 1;

    // A nested pipeline's own streams get its errors, but warnings, verbose, debug and information go past them to
    // the outer pipeline: they are redirected into the nested pipeline's output, where nothing else arrives (the item's
    // output goes to SharedScopeOutput), so each is known for a record and charged to the item that wrote it.
    private const string Redirect = " 3>&1 4>&1 5>&1 6>&1";

    private const string SharedInvoker = "param($__pjBlock, $__pjVars, $__pjArgs) $__pjBlock.InvokeWithContext($null, $__pjVars, $__pjArgs)" + Redirect;

    // break or continue outside a loop ends the item only, as in the per-item driver.
    private const string ItemInvoker = "param($__pjBlock, $__pjFeed, $__pjArgs) foreach ($__pjVars in $__pjFeed) { foreach ($__pjOnce in 1) { & { $__pjBlock.InvokeWithContext($null, $__pjVars, $__pjArgs) | & { process { [ParallelJobs.Scripting.SharedScopeOutput]::Write($_) } } }" + Redirect + " } }";

    private readonly SessionState _state;
    private readonly bool _leavesSessionAlone;
    private readonly object?[] _inputs;
    private readonly string[] _names;
    private readonly object?[] _values;
    private readonly bool _stopAtFailure;
    private readonly BatchFile.Writer _file;
    private readonly Action<object?> _onThrew;
    private readonly Action<object?> _onOutput;

    private int _next;
    private int _current = -1;
    private bool _failed;
    private bool _wroteError;
    private object? _error;
    private long _started;
    private StringBuilder? _kinds;
    private readonly List<object?> _entry = new();

    private BatchCollector(SessionState state, object?[] inputs, string[] names, object?[] values, bool leavesSessionAlone, bool stopAtFailure, BatchFile.Writer file)
    {
        _state = state;
        _leavesSessionAlone = leavesSessionAlone;
        _inputs = inputs;
        _names = names;
        _values = values;
        _stopAtFailure = stopAtFailure;
        _file = file;
        _onThrew = OnThrew;
        _onOutput = value => Add('O', value);
    }

    /// <summary>
    /// Runs <paramref name="inputs"/> through the task, the shared-scope text when it fits, else item by item,
    /// and returns how many items ran (fewer than all once one failed under <paramref name="stopAtFailure"/>).
    /// </summary>
    /// <param name="state">The driver's session state: a global that a shared-scope reset would hide rules that text out.</param>
    /// <param name="leavesSessionAlone">The task's script cannot change global state (<see cref="WorkerItemReset.Prepare"/>).</param>
    public static int Run(SessionState state, object?[] inputs, ScriptBlock block, ScriptBlock? shared, string[]? resets,
        string[]? names, object?[]? values, object?[]? args, bool leavesSessionAlone, bool stopAtFailure, string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        file.SetLength(0);
        using var writer = new BatchFile.Writer(file, Depth);
        var collector = new BatchCollector(state, inputs, names ?? Array.Empty<string>(), values ?? Array.Empty<object?>(), leavesSessionAlone, stopAtFailure, writer);
        collector.RunAll(state, block, shared is not null && SharedFits(state, resets) ? shared : null, args ?? Array.Empty<object?>());
        return collector._next;
    }

    private void RunAll(SessionState state, ScriptBlock block, ScriptBlock? shared, object?[] args)
    {
        using PowerShell ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
        PSDataStreams streams = ps.Streams;
        streams.Error.DataAdded += (s, e) => Add('E', streams.Error[e.Index]);
        streams.Warning.DataAdded += (s, e) => Add('W', streams.Warning[e.Index]);
        streams.Verbose.DataAdded += (s, e) => Add('V', streams.Verbose[e.Index]);
        streams.Debug.DataAdded += (s, e) => Add('D', streams.Debug[e.Index]);
        streams.Information.DataAdded += (s, e) => Add('I', streams.Information[e.Index]);
        var output = new PSDataCollection<PSObject>();
        output.DataAdded += (s, e) => AddRedirected(output[e.Index]);
        Action<object?>? outerSink = SharedScopeOutput.Swap(_onOutput);
        try
        {
            bool sharedTried = shared is null;
            while (MayStart())
            {
                ps.Commands.Clear();
                bool sharedPath = !sharedTried;
                if (sharedPath)
                {
                    sharedTried = true;
                    var feed = new SharedScopeFeed(_inputs.Length - _next, MayStart, i => Start(), Finish);
                    ps.AddScript(SharedInvoker, useLocalScope: true).AddArgument(shared).AddArgument(Variables(ScriptTaskBuilder.FeedVariable, feed)).AddArgument(args);
                }
                else
                {
                    var feed = new SharedScopeFeed(_inputs.Length - _next, MayStart, i => ItemVariables(Start()), Finish);
                    ps.AddScript(ItemInvoker, useLocalScope: true).AddArgument(block).AddArgument(feed).AddArgument(args);
                }

                try
                {
                    ps.Invoke(null, output);
                }
                catch (Exception ex) when (ex is not PipelineStoppedException && (_current >= 0 || sharedPath))
                {
                    // Something outside the item's own try (a flow-control escape, a binding error) ended the pipeline:
                    // charged to the current item; the items after it run one by one (as do all when the shared-scope
                    // text failed before its first item).
                    if (_current < 0)
                    {
                        continue;
                    }

                    if (ex is not FlowControlException)
                    {
                        _error ??= ex is RuntimeException { ErrorRecord: { } record } ? record : new ErrorRecord(ex, Engine.ErrorIds.ItemFailed, ErrorCategory.NotSpecified, _inputs[_current]);
                    }

                    Finish();
                }

                streams.ClearStreams();
                output.Clear();
            }
        }
        finally
        {
            SharedScopeOutput.Swap(outerSink);
        }
    }

    private bool MayStart() => _next < _inputs.Length && !(_stopAtFailure && _failed);

    private object? Start()
    {
        _current = _next++;
        _error = null;
        _kinds = null;
        _wroteError = false;
        _entry.Clear();
        // After the item is current: a state that cannot be put back fails this item, not the batch.
        WorkerItemReset.Prepare(_state, _leavesSessionAlone);
        _started = Stopwatch.GetTimestamp();
        return _inputs[_current];
    }

    /// <summary>Ends the current item: its entry goes to the file now, so that it outlives the process.</summary>
    private void Finish()
    {
        if (_current < 0)
        {
            return;
        }

        long ticks = TimeSpan.FromSeconds((Stopwatch.GetTimestamp() - _started) / (double)Stopwatch.Frequency).Ticks;
        _failed |= _error is not null || _wroteError;
        // Conservative: an item that wrote an error may count as failed; the caller runs the rest in another batch.
        _file.Append(ticks, _kinds?.ToString(), _error, _entry);
        _current = -1;
    }

    private void Add(char kind, object? value)
    {
        if (_current < 0)
        {
            return;
        }

        _wroteError |= kind == 'E';
        if (kind != 'O' || _kinds is not null)
        {
            // Most items write output only: the kinds are spelled out once something else comes.
            _kinds ??= new StringBuilder().Append('O', _entry.Count);
            _kinds.Append(kind);
        }

        _entry.Add(value);
    }

    private void AddRedirected(PSObject? value)
    {
        switch (value?.BaseObject)
        {
            case WarningRecord warning:
                Add('W', warning);
                break;
            case VerboseRecord verbose:
                Add('V', verbose);
                break;
            case DebugRecord debug:
                Add('D', debug);
                break;
            case InformationRecord information:
                Add('I', information);
                break;
            case ErrorRecord error:
                Add('E', error);
                break;
            default:
                Add('O', value);
                break;
        }
    }

    private void OnThrew(object? error)
    {
        object? value = error is PSObject pso ? pso.BaseObject : error;
        if (_current >= 0 && value is ErrorRecord record)
        {
            _error = record;
        }
    }

    private List<PSVariable> Variables(string name, object? value)
    {
        var variables = new List<PSVariable>(_names.Length + 2) { new(name, value), new(ScriptTaskBuilder.FailCallbackVariable, _onThrew) };
        for (int i = 0; i < _names.Length; i++)
        {
            variables.Add(new PSVariable(_names[i], i < _values.Length ? _values[i] : null));
        }

        return variables;
    }

    private List<PSVariable> ItemVariables(object? input) => Variables("_", input);

    /// <summary>As in worker runspaces (<see cref="SharedScopeAnalyzer.FitsBeside"/>), with the worker's globals.</summary>
    private static bool SharedFits(SessionState state, string[]? resets) =>
        SharedScopeAnalyzer.FitsBeside(resets ?? Array.Empty<string>(), name => state.PSVariable.Get("global:" + name) is not null);
}
