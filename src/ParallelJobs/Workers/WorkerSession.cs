using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Management.Automation;
using ParallelJobs.Scripting;

namespace ParallelJobs.Workers;

/// <summary>
/// Infrastructure of -UseProcess that runs inside a worker process (its reset, <c>__pjReset</c>, calls it); not meant
/// to be called by users. Lists what a call left in the global scope straight from PowerShell's tables
/// (<see cref="SessionTables"/>): Get-Variable and the function: drive cost a worker ten milliseconds or more at the
/// end of every call, ten workers at once on two cores the end of the caller's call with them.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class WorkerSession
{
    /// <summary>
    /// The global variables and functions not in <paramref name="variables"/> and <paramref name="functions"/> (the
    /// baseline), as { variable names, function names }; null when this PowerShell's tables are not where expected.
    /// </summary>
    public static object[]? Extras(SessionState state, HashSet<string> variables, HashSet<string> functions)
    {
        if (SessionTables.TryGet(state) is not { } tables)
        {
            return null;
        }

        var extraVariables = new List<string>();
        foreach (string name in tables.Variables.Keys)
        {
            if (!variables.Contains(name) && !name.Equals("__pjBaseline", StringComparison.OrdinalIgnoreCase))
            {
                extraVariables.Add(name);
            }
        }

        var extraFunctions = new List<string>();
        foreach (string name in tables.Functions.Keys)
        {
            if (!functions.Contains(name))
            {
                extraFunctions.Add(name);
            }
        }

        return new object[] { extraVariables.ToArray(), extraFunctions.ToArray() };
    }
}
