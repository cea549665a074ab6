using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using ParallelJobs.Engine;
using ParallelJobs.Scripting;

namespace ParallelJobs.Remote;

/// <summary>
/// A connection made ready for one run: modules imported, the initialization script run, variables,
/// functions and the item driver defined. Runs one item at a time; one PowerShell object per session, so
/// its stream events belong to the item that is running.
/// </summary>
internal sealed class RemoteSession : IDisposable
{
    private const string DefaultTaskId = "default";

    /// <summary>What the driver says when the session no longer holds the task it was sent before.</summary>
    private const string TaskMissing = "__pjTaskMissing";

    private static readonly PSInvocationSettings Settings = new() { Host = SilentHost.Instance };

    private readonly PowerShell _ps;
    private bool _defaultSent;
    private bool _prepared;

    public RemoteSession(ISessionConnection connection)
    {
        Connection = connection;
        _ps = PowerShell.Create();
        _ps.Runspace = connection.Runspace;
    }

    public ISessionConnection Connection { get; }

    public PSDataStreams Streams => _ps.Streams;

    /// <summary>
    /// Prepares the session. Throws <see cref="RemoteSetupException"/> when the host lacks what the run
    /// needs, <see cref="RemoteConnectException"/> when the session broke meanwhile.
    /// </summary>
    public void Prepare(ScriptConfig config, string hostName, CancellationToken token)
    {
        string where = $"on host '{hostName}'";
        Initialize(config, where, local: false, token);
        if (Connection.Owned)
        {
            // A session this module opened may serve later calls: what it holds now is what a reset keeps.
            SaveBaseline(token);
        }

        ApplyRun(config, where, token);
    }

    /// <summary>What is costly and the same for every run of one pool key: the modules and the initialization script.</summary>
    /// <param name="where">Where, for messages: "on host 'x'", "in a worker process".</param>
    /// <param name="local">A worker process of this machine: the error ids are those of local workers.</param>
    public void Initialize(ScriptConfig config, string where, bool local, CancellationToken token)
    {
        using PowerShell setup = PowerShell.Create();
        setup.Runspace = Connection.Runspace;
        using CancellationTokenRegistration stop = token.Register(() => StopQuietly(setup));
        foreach (string module in config.Modules)
        {
            setup.Commands.Clear();
            setup.AddCommand("Import-Module").AddParameter("Name", module).AddParameter("ErrorAction", ActionPreference.Stop);
            Step(setup, token, local ? ErrorIds.ModuleImportFailed : ErrorIds.RemoteModuleImportFailed, $"The module '{module}' could not be imported {where}");
        }

        if (!string.IsNullOrWhiteSpace(config.InitializationScript))
        {
            setup.Commands.Clear();
            setup.AddScript(config.InitializationScript, useLocalScope: false);
            Step(setup, token, local ? ErrorIds.InitializationScriptFailed : ErrorIds.RemoteInitializationScriptFailed, $"The initialization script failed {where}");
        }
    }

    /// <summary>
    /// What each run on a host sets: its variables and functions and the item driver. (Worker processes get theirs as
    /// the first message of their pipeline, with the caller's location: Workers.ServePipe.)
    /// </summary>
    public void ApplyRun(ScriptConfig config, string where, CancellationToken token)
    {
        using PowerShell setup = PowerShell.Create();
        setup.Runspace = Connection.Runspace;
        using CancellationTokenRegistration stop = token.Register(() => StopQuietly(setup));
        setup.AddScript(RemoteScripts.Setup).AddParameter("Variables", RunVariables(config)).AddParameter("Functions", RunFunctions(config))
            .AddParameter("Save", !Connection.Owned).AddParameter("Driver", RemoteScripts.Driver);

        // From here on a borrowed session has something to give back, even if the setup is cut short.
        _prepared = true;
        _defaultSent = false;
        Step(setup, token, ErrorIds.RemoteSetupFailed, $"The run's variables and functions could not be defined {where}");
    }

    /// <summary>
    /// Defines the item driver, then records the session's globals and functions, which <see cref="ResetToBaseline"/>
    /// keeps (so the driver outlives a reset). Throws as the setup does.
    /// </summary>
    public void SaveBaseline(CancellationToken token)
    {
        using PowerShell setup = PowerShell.Create();
        setup.Runspace = Connection.Runspace;
        using CancellationTokenRegistration stop = token.Register(() => StopQuietly(setup));
        setup.AddScript(RemoteScripts.Driver, useLocalScope: false).AddStatement().AddScript(RemoteScripts.Baseline, useLocalScope: true);
        Step(setup, token, ErrorIds.WorkerFailed, "The session could not be prepared for reuse");
    }

    /// <summary>Between calls: removes the globals and functions a call defined. False when the session cannot be reused.</summary>
    public bool ResetToBaseline()
    {
        if (!Connection.IsOpen || Connection.Runspace.RunspaceAvailability != System.Management.Automation.Runspaces.RunspaceAvailability.Available)
        {
            return false;
        }

        try
        {
            using PowerShell reset = PowerShell.Create();
            reset.Runspace = Connection.Runspace;
            reset.AddScript(RemoteScripts.Reset, useLocalScope: true).Invoke(null, Settings);
            return !reset.HadErrors;
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>Runs one item; its output goes to <paramref name="output"/> as it arrives. Throws as the item does.</summary>
    public void Invoke(ScriptTask task, bool isDefault, object? input, PSDataCollection<PSObject> output)
    {
        object? id = null;
        Hashtable? definition = null;
        if (isDefault)
        {
            id = DefaultTaskId;
            if (!_defaultSent)
            {
                definition = Define(task);
            }
        }
        else
        {
            definition = Define(task);
        }

        try
        {
            InvokeDriver(id, definition, input, output);
        }
        catch (RemoteException ex) when (definition is null && ex.ErrorRecord?.Exception?.Message == TaskMissing)
        {
            InvokeDriver(id, Define(task), input, output);
        }

        if (isDefault)
        {
            _defaultSent = true;
        }
    }

    public void ClearStreams() => _ps.Streams.ClearStreams();
    /// <summary>
    /// Starts the long-lived pipeline of a worker process (<paramref name="script"/>, see Workers.ProcessScripts.Serve),
    /// which takes its messages from <paramref name="input"/> as they are added and writes to <paramref name="output"/>.
    /// The task cache of the other side starts empty.
    /// </summary>
    public IAsyncResult BeginServe(string script, string? driver, string path, PSDataCollection<object> input, PSDataCollection<PSObject> output)
    {
        _ps.Commands.Clear();
        // In a scope of its own: its parameters and kept driver must outlive the reset after each call (it removes new globals).
        _ps.AddScript(script, useLocalScope: true).AddParameter("__pjPath", path).AddParameter("__pjDriver", driver);
        _defaultSent = false;
        return _ps.BeginInvoke(input, output, Settings, null, null);
    }

    /// <summary>Ends the pipeline <see cref="BeginServe"/> started; throws as it ended.</summary>
    public void EndServe(IAsyncResult running) => _ps.EndInvoke(running);

    /// <summary>The run's variables, functions and location, for the first batch a serve pipeline gets in a call (its Setup).</summary>
    public static Hashtable SetupMessage(ScriptConfig config) => new()
    {
        ["Variables"] = RunVariables(config),
        ["Functions"] = RunFunctions(config),
        ["Location"] = config.Location,
    };

    /// <summary>
    /// The message of a batch run item by item, each item's output and then its end marker (<see cref="BatchMarker"/>)
    /// arriving as written. The default task goes with the first item that needs it, until the other side has it.
    /// </summary>
    public Hashtable BatchMessage(IReadOnlyList<(ScriptTask Task, bool IsDefault, object? Input)> items)
    {
        var entries = new object[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            (ScriptTask task, bool isDefault, object? input) = items[i];
            var entry = new Hashtable { ["Item"] = input };
            if (isDefault)
            {
                entry["Id"] = DefaultTaskId;
                if (!_defaultSent)
                {
                    entry["Task"] = Define(task);
                    _defaultSent = true;
                }
            }
            else
            {
                entry["Task"] = Define(task);
            }

            entries[i] = entry;
        }

        return new Hashtable { ["Kind"] = "items", ["Batch"] = entries };
    }

    /// <summary>The message of a collected batch of the default task (Workers.BatchCollector): the items come back on file.</summary>
    public Hashtable CollectMessage(ScriptTask task, object?[] inputs, bool stopAtFailure)
    {
        Hashtable? definition = _defaultSent ? null : Define(task);
        _defaultSent = true;
        return new Hashtable { ["Kind"] = "collect", ["Inputs"] = inputs, ["Task"] = definition, ["StopAtFailure"] = stopAtFailure };
    }

    /// <summary>The remote side lost the cached default task: the next batch sends it again.</summary>
    public void ForgetDefault() => _defaultSent = false;


    private void InvokeDriver(object? id, Hashtable? definition, object? input, PSDataCollection<PSObject> output)
    {
        _ps.Commands.Clear();
        _ps.AddCommand("__pjRunItem").AddParameter("__pjId", id).AddParameter("__pjTask", definition).AddParameter("__pjItem", input);
        _ps.Invoke<PSObject>(null, output, Settings);
    }

    /// <summary>Stops the running item (Ctrl+C, the item timeout). Any thread.</summary>
    public void Stop() => StopQuietly(_ps);

    /// <summary>
    /// A caller's session: removes what the run defined and restores what it replaced. The setup saves
    /// before it changes anything, so this also undoes a setup that a stop cut short.
    /// </summary>
    public void Restore()
    {
        if (Connection.Owned || !_prepared || !Connection.IsOpen)
        {
            return;
        }

        try
        {
            using PowerShell restore = PowerShell.Create();
            restore.Runspace = Connection.Runspace;
            restore.AddScript(RemoteScripts.Restore).Invoke(null, Settings);
        }
        catch (Exception)
        {
            // The session broke or is busy: nothing more can be given back.
        }
    }

    public void Dispose() => _ps.Dispose();

    private void Step(PowerShell setup, CancellationToken token, string errorId, string what)
    {
        try
        {
            setup.Invoke(null, Settings);
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            throw new OperationCanceledException(token);
        }
        catch (RemoteException ex) when (Connection.IsOpen)
        {
            // Failed on the host: it would fail the same way on every slot there.
            throw new RemoteSetupException(errorId, $"{what}: {SshConnector.Reason(ex)}", ex);
        }
        catch (Exception ex)
        {
            throw new RemoteConnectException(SshConnector.Reason(ex), ex);
        }
    }

    private static Hashtable RunVariables(ScriptConfig config)
    {
        var variables = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, object?> entry in config.Variables)
        {
            // Preferences travel as names: an enum arrives on the other side as a bare number.
            variables[entry.Key] = entry.Value is ActionPreference preference ? preference.ToString() : entry.Value;
        }

        return variables;
    }

    private static Hashtable RunFunctions(ScriptConfig config)
    {
        var functions = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, string> entry in config.Functions)
        {
            functions[entry.Key] = entry.Value;
        }

        return functions;
    }

    private static Hashtable Define(ScriptTask task) => new()
    {
        ["Text"] = task.CalledText ?? task.Text,
        ["Shared"] = task.SharedScopeText,
        ["Resets"] = task.SharedScopeResets,
        ["Names"] = task.UsingNames,
        ["Values"] = task.UsingValues,
        ["Args"] = task.Arguments,
        ["Alone"] = task.LeavesSessionAlone,
    };

    private static void StopQuietly(PowerShell ps)
    {
        try
        {
            ps.BeginStop(null, null);
        }
        catch (Exception)
        {
            // Already finished or disposed.
        }
    }
}
