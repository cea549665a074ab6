using System;
using System.Collections;
using System.ComponentModel;
using System.Management.Automation;
using ParallelJobs.Scripting;

namespace ParallelJobs.Workers;

/// <summary>
/// Infrastructure of -UseProcess that runs inside a worker process (its drivers call it before each item); not
/// meant to be called by users. Gives every item of a call the state the call's first item started with, as a
/// worker runspace does (<see cref="WorkerRunspace.PrepareItem"/>): without it a <c>$global:</c> variable, a
/// function, an alias, a drive, a module, the location, a preference or an <c>$Error</c> entry one item left
/// reached the next item in the same process, where <c>ForEach-Object -Parallel</c> and runspace workers give a clean one.
/// </summary>
/// <remarks>
/// One state per process, unlocked: a worker process runs one item at a time, and only the pipeline running it calls in here.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class WorkerItemReset
{
    private static SessionSnapshot? s_runState;
    private static string? s_runLocation;
    private static bool s_lastMayChange;
    private static ArrayList? s_errors;
    private static SessionSnapshot? s_poolState;

    /// <summary>Once the process is prepared (driver, modules, initialization script): what the reset after each call puts back.</summary>
    public static void SaveBaseline(SessionState state)
    {
        s_poolState = SessionTables.TryGet(state) is { } tables ? SessionSnapshot.Take(tables, Errors(state)) : null;
    }

    /// <summary>
    /// After a call: every global variable, function, alias, drive and module it left is removed, and what it changed
    /// is put back, as a pooled runspace is reset. False without a baseline (the caller's script then removes the
    /// variables and functions itself); the location is left for the next call's setup.
    /// </summary>
    public static bool ResetCall(SessionState state)
    {
        BeginRun();
        if (s_poolState is not { } poolState)
        {
            return false;
        }

        if (!poolState.IsIntact())
        {
            poolState.Restore(state, null, RunScript);
        }

        return true;
    }

    /// <summary>A call begins or ends: the next item takes the new call's clean state.</summary>
    public static void BeginRun()
    {
        s_runState = null;
        s_runLocation = null;
        s_lastMayChange = false;
        s_errors = null;
    }

    /// <summary>
    /// Before an item: undoes what the item before it changed at global level. <paramref name="leavesSessionAlone"/>
    /// is the analyzer's verdict on the next item's script (<see cref="ScriptTask.LeavesSessionAlone"/>): after a
    /// script that cannot change the state only <c>$Error</c> is emptied.
    /// </summary>
    public static void Prepare(SessionState state, bool leavesSessionAlone)
    {
        bool mayHaveChanged = s_lastMayChange;
        s_lastMayChange = !leavesSessionAlone;
        // Looked up once a run: a scoped variable lookup per item cost more than a trivial item's own work.
        ArrayList? errors = s_errors ??= Errors(state);
        if (s_runState is null)
        {
            if (SessionTables.TryGet(state) is { } tables)
            {
                s_runState = SessionSnapshot.Take(tables, errors);
                s_runLocation = state.Path.CurrentLocation.Path;
            }
            else
            {
                // Without PowerShell's tables (a PowerShell laid out differently): at least $Error.
                errors?.Clear();
            }

            return;
        }

        if (!mayHaveChanged)
        {
            // An error the item threw (and its try caught) is still in $Error.
            if (errors is { Count: > 0 })
            {
                errors.Clear();
            }

            return;
        }

        if (s_runState.IsIntact())
        {
            return;
        }

        SessionSnapshot runState = s_runState;
        s_runState = null;
        try
        {
            runState.Restore(state, s_runLocation, RunScript);
        }
        catch (Exception ex)
        {
            // Never a silent leftover: the item fails (a retry runs it again), the next one takes the state as it is.
            throw new InvalidOperationException($"The worker process could not put back the state the item before this one changed: {ex.Message}", ex);
        }

        s_runState = SessionTables.TryGet(state) is { } now ? SessionSnapshot.Take(now, errors) : null;
    }

    private static ArrayList? Errors(SessionState state) => state.PSVariable.GetValue("global:Error") as ArrayList;

    /// <summary>What <see cref="SessionSnapshot.Restore"/> leaves to PowerShell (modules, changed functions and aliases), in the running pipeline.</summary>
    private static void RunScript(string script, object?[] arguments) => ScriptBlock.Create(script).Invoke(arguments);
}
