using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using ParallelJobs.Engine;

namespace ParallelJobs.Scripting;

/// <summary>
/// A runspace opened for a pool key: modules imported and the initialization script run once.
/// It remembers its global state then (<see cref="SessionSnapshot"/>), so that a run's leftovers are
/// removed before the next run reuses it, and its state at a run's first item, so that every item starts
/// as that one did: <see cref="PrepareItem"/> checks before each item and restores only what changed.
/// </summary>
internal sealed class WorkerRunspace : IDisposable
{
    private static readonly Lazy<InitialSessionState> SharedState = new(CreateState, LazyThreadSafetyMode.ExecutionAndPublication);
    private static int _counter;
    private string? _location;

    private HashSet<string> _baselineVariables = new(StringComparer.OrdinalIgnoreCase);
    private HashSet<string> _baselineFunctions = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The global tables, or null where this PowerShell keeps them elsewhere (then only the location is checked).</summary>
    private SessionTables? _tables;
    private SessionState? _session;
    private ArrayList? _errors;
    private SessionSnapshot? _poolState;
    private SessionSnapshot? _runState;

    /// <summary>Whether the item before the next one ran a script that may have changed the global state.</summary>
    private bool _lastMayChange;
    private string? _runLocation;
    private bool _poisoned;
    private readonly Dictionary<string, ScriptBlock> _restoreScripts = new(StringComparer.Ordinal);

    private WorkerRunspace(Runspace runspace, string poolKey, string description)
    {
        Runspace = runspace;
        PoolKey = poolKey;
        Description = description;
        Created = DateTime.Now;
        LastUsed = Created;
    }

    public Runspace Runspace { get; }

    public string PoolKey { get; }

    public string Description { get; }

    public DateTime Created { get; }

    public DateTime LastUsed { get; set; }

    public int Runs { get; set; }

    public bool IsUsable =>
        Runspace.RunspaceStateInfo.State == RunspaceState.Opened && Runspace.RunspaceAvailability == RunspaceAvailability.Available;

    /// <summary>Opens a runspace on the calling thread and prepares it for <paramref name="config"/>.</summary>
    public static WorkerRunspace Open(ScriptConfig config, bool forPool = true)
    {
        Runspace runspace = RunspaceFactory.CreateRunspace(SharedState.Value);
        runspace.Name = "ParallelJobs" + Interlocked.Increment(ref _counter);
        var worker = new WorkerRunspace(runspace, config.PoolKey, config.Describe());
        try
        {
            // A new runspace starts in the process's current directory. Knowing that spares ApplyRun a
            // Set-Location (2.5 ms in a fresh runspace, a fifth of its cost) when the caller is there too.
            string started = Environment.CurrentDirectory;
            runspace.Open();
            if (string.Equals(started, Environment.CurrentDirectory, StringComparison.Ordinal))
            {
                worker._location = started;
            }

            worker.Initialize(config, forPool);
            return worker;
        }
        catch
        {
            worker.Dispose();
            throw;
        }
    }

    /// <summary>Applies the per-run state: variables, functions and the caller's location.</summary>
    public void ApplyRun(ScriptConfig config, IDictionary<string, object?> extraVariables)
    {
        // Through the session state API rather than a script: no cmdlet lookup, no parse, on any thread.
        SessionStateProxy state = Runspace.SessionStateProxy;
        foreach (KeyValuePair<string, object?> entry in config.Variables)
        {
            state.SetVariable(entry.Key, entry.Value);
        }

        foreach (KeyValuePair<string, object?> entry in extraVariables)
        {
            state.SetVariable(entry.Key, entry.Value);
        }

        foreach (KeyValuePair<string, string> entry in config.Functions)
        {
            state.InvokeProvider.Item.Set(@"function:\" + entry.Key, ScriptBlock.Create(entry.Value));
        }

        // Setting the location costs a millisecond or more (the provider resolves and checks the path), and
        // a pooled runspace is usually still where the last run left it: each worker of a call pays it in turn.
        if (!string.IsNullOrEmpty(config.Location) && !string.Equals(_location, config.Location, StringComparison.Ordinal))
        {
            state.Path.SetLocation(WildcardPattern.Escape(config.Location));
            _location = config.Location;
        }

        // The run's clean state is taken at its first item, once the driver script has set its own variables.
        _runState = null;
        _lastMayChange = false;
        _runLocation = string.IsNullOrEmpty(config.Location) ? null : config.Location;
        Runs++;
    }

    /// <summary>
    /// Called on the worker thread, inside the running pipeline, before each item (<paramref name="next"/> is
    /// the script it runs): an item that changed the location, a global variable, function, alias, drive or
    /// module, or left an error in $Error, has that undone, so the next one starts as the run's first did.
    /// After a script that cannot change the global state (<see cref="ScriptTask.LeavesSessionAlone"/>) only
    /// $Error is looked at; otherwise the check compares the global tables by reference, and the restore runs
    /// only when something changed.
    /// </summary>
    public void PrepareItem(ScriptTask next)
    {
        bool mayHaveChanged = _lastMayChange;
        _lastMayChange = !next.LeavesSessionAlone;
        if (_tables is not null && _runState is null)
        {
            _runState = SessionSnapshot.Take(_tables, _errors);
            return;
        }

        if (!mayHaveChanged)
        {
            // An error the item threw (and its try caught) is still in $Error.
            if (_errors is { Count: > 0 })
            {
                _errors.Clear();
            }

            return;
        }

        if (_tables is null || _runState is null)
        {
            PrepareItemWithoutTables();
            return;
        }

        if (_runState.IsIntact())
        {
            return;
        }

        try
        {
            _runState.Restore(_session!, _runLocation, RunInPipeline);
            _runState = SessionSnapshot.Take(_tables, _errors);
        }
        catch (Exception)
        {
            // What could not be put back must not reach the next call: the pool closes this runspace.
            _poisoned = true;
        }
    }

    /// <summary>Without the tables: at least the location and $Error, through the public API.</summary>
    private void PrepareItemWithoutTables()
    {
        if (_session is null)
        {
            return;
        }

        _errors?.Clear();
        if (_runLocation is not null && !string.Equals(_session.Path.CurrentFileSystemLocation.ProviderPath, _runLocation, StringComparison.Ordinal))
        {
            _session.Path.SetLocation(WildcardPattern.Escape(_runLocation));
        }
    }

    private void RunInPipeline(string script, object?[] arguments)
    {
        if (!_restoreScripts.TryGetValue(script, out ScriptBlock? block))
        {
            block = ScriptBlock.Create(script);
            _restoreScripts[script] = block;
        }

        block.Invoke(arguments);
    }

    private void RunIdle(string script, object?[] arguments)
    {
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = Runspace;
        ps.AddScript(script);
        foreach (object? argument in arguments)
        {
            ps.AddArgument(argument);
        }

        ps.Invoke();
    }

    /// <summary>Removes what a run left behind, so the next run starts as this one did.</summary>
    public void Reset()
    {
        if (_poisoned)
        {
            throw new InvalidOperationException("An item changed this runspace in a way that could not be undone.");
        }

        SessionStateProxy state = Runspace.SessionStateProxy;
        _runState = null;
        if (_poolState is not null && _session is not null)
        {
            if (!_poolState.IsIntact())
            {
                _poolState.Restore(_session, null, RunIdle);
            }
        }
        else
        {
            RemoveLeftovers(state);
        }

        (state.GetVariable("Error") as ArrayList)?.Clear();

        // An item may have moved elsewhere: remember where the runspace really is, for the next ApplyRun.
        PathInfo where = state.Path.CurrentLocation;
        _location = where.Provider.Name == "FileSystem" ? where.ProviderPath : null;
        LastUsed = DateTime.Now;
    }

    /// <summary>The slow way, where the tables are not reachable: through the providers, variables and functions only.</summary>
    private void RemoveLeftovers(SessionStateProxy state)
    {
        foreach (PSObject item in state.InvokeProvider.ChildItem.Get("variable:", false))
        {
            if (item.BaseObject is PSVariable variable && !_baselineVariables.Contains(variable.Name))
            {
                state.PSVariable.Remove(variable.Name);
            }
        }

        foreach (PSObject item in state.InvokeProvider.ChildItem.Get("function:", false))
        {
            if (item.BaseObject is CommandInfo function && !_baselineFunctions.Contains(function.Name))
            {
                state.InvokeProvider.Item.Remove(@"function:\" + function.Name, false);
            }
        }
    }

    public void Dispose() => Runspace.Dispose();

    private void Initialize(ScriptConfig config, bool forPool)
    {
        foreach (string module in config.Modules)
        {
            try
            {
                using PowerShell ps = PowerShell.Create();
                ps.Runspace = Runspace;
                ps.AddCommand("Import-Module").AddParameter("Name", module).AddParameter("ErrorAction", ActionPreference.Stop).Invoke();
            }
            catch (Exception ex)
            {
                throw new WorkerSetupException(ErrorIds.ModuleImportFailed, $"The module '{module}' could not be imported into the worker runspaces: {Reason(ex)}", ex);
            }
        }

        if (!string.IsNullOrWhiteSpace(config.InitializationScript))
        {
            try
            {
                using PowerShell ps = PowerShell.Create();
                ps.Runspace = Runspace;
                ps.AddScript(config.InitializationScript, useLocalScope: false).Invoke();
            }
            catch (Exception ex)
            {
                throw new WorkerSetupException(ErrorIds.InitializationScriptFailed, $"The initialization script failed in a worker runspace: {Reason(ex)}", ex);
            }
        }

        SessionStateProxy state = Runspace.SessionStateProxy;
        _session = (state.GetVariable("ExecutionContext") as EngineIntrinsics)?.SessionState;
        _errors = state.GetVariable("Error") as ArrayList;
        if (!forPool)
        {
            // A runspace for a single item (-UseNewRunspace) is never reset, so it needs no baseline.
            return;
        }

        _tables = _session is null ? null : SessionTables.TryGet(_session);
        if (_tables is not null)
        {
            _poolState = SessionSnapshot.Take(_tables, _errors);
            return;
        }

        foreach (PSObject item in state.InvokeProvider.ChildItem.Get("variable:", false))
        {
            _baselineVariables.Add(((PSVariable)item.BaseObject).Name);
        }

        foreach (PSObject item in state.InvokeProvider.ChildItem.Get("function:", false))
        {
            _baselineFunctions.Add(((CommandInfo)item.BaseObject).Name);
        }
    }

    /// <summary>The underlying message, without the "preference variable is set to Stop" preamble.</summary>
    private static string Reason(Exception ex) =>
        ex is RuntimeException { ErrorRecord.Exception: { } inner } && !ReferenceEquals(inner, ex) ? inner.Message : ex.Message;

    private static InitialSessionState CreateState()
    {
        // CreateDefault loads the built-in commands up front; CreateDefault2 would auto-load
        // Microsoft.PowerShell.Utility again in every runspace at its first Start-Sleep or Get-Date.
        InitialSessionState state = InitialSessionState.CreateDefault();

        // The worker thread runs the pipeline itself: no hidden thread per runspace, and stream
        // events fire on the worker, where the current item is known.
        state.ThreadOptions = PSThreadOptions.UseCurrentThread;
        return state;
    }
}
