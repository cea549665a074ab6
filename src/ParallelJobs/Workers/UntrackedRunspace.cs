using System;
using System.Collections;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace ParallelJobs.Workers;

/// <summary>
/// Takes a worker process's runspace off PowerShell's list of the runspaces in this process. When the session
/// ends, PowerShell disposes every open runspace on that list and waits for each to close; a worker process's
/// close can wait for ever (seen once on 7.6: the pool stayed Closing, its close acknowledgement never came and its
/// 60-second close timer did not end it), which left the caller's pwsh hanging after its script. A worker process
/// needs no closing then: it ends with its caller (<see cref="ParentWatch"/>), and the module disposes the
/// runspaces it drops on threads of its own.
/// </summary>
internal static class UntrackedRunspace
{
    private static readonly FieldInfo? Dictionary = typeof(Runspace).GetField("s_runspaceDictionary", BindingFlags.NonPublic | BindingFlags.Static);
    private static readonly FieldInfo? Sync = typeof(Runspace).GetField("s_syncObject", BindingFlags.NonPublic | BindingFlags.Static);

    /// <summary>Removes <paramref name="runspace"/> from the list; does nothing where this PowerShell keeps it otherwise.</summary>
    public static void Untrack(Runspace runspace)
    {
        try
        {
            if (Dictionary?.GetValue(null) is IDictionary runspaces && Sync?.GetValue(null) is { } sync)
            {
                lock (sync)
                {
                    runspaces.Remove(runspace.Id);
                }
            }
        }
        catch (Exception)
        {
            // Another PowerShell's internals: the runspace stays listed, as any other.
        }
    }
}
