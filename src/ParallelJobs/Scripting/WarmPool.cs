using System;
using System.Collections.Generic;

namespace ParallelJobs.Scripting;

/// <summary>
/// Workers kept warm between calls in this process: worker runspaces, worker processes (-UseProcess) and
/// SSH sessions (-HostName, -SSHConnection). A call takes one whose pool key matches, and gives it back
/// reset when it is done; idle ones are closed after <see cref="IdleTimeout"/>. One timeout and one limit
/// (per kind) for all, set by Set-ParallelJobPool.
/// </summary>
internal static class WarmPool
{
    private static readonly IdleShelf<WorkerRunspace> Runspaces = new(r => r.PoolKey, r => r.IsUsable, r => r.LastUsed, r => r.Dispose());

    public static TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The most idle workers of each kind kept; more are closed on release.</summary>
    public static int MaxIdle { get; set; } = 32;

    /// <summary>The other kinds' shelves, so that the pool cmdlets reach them all.</summary>
    private static readonly List<Func<int>> ClearOthers = new();
    private static readonly List<Action> RescheduleOthers = new();

    public static WorkerRunspace? TryTake(string poolKey) => Runspaces.TryTake(poolKey);

    public static void Return(WorkerRunspace runspace)
    {
        runspace.LastUsed = DateTime.Now;
        Runspaces.Return(runspace);
    }

    public static IReadOnlyList<WorkerRunspace> Snapshot() => Runspaces.Snapshot();

    /// <summary>Makes a shelf for another kind of worker that the pool cmdlets clear and reschedule with the runspaces.</summary>
    public static IdleShelf<T> NewShelf<T>(Func<T, string> key, Func<T, bool> usable, Func<T, DateTime> lastUsed, Action<T> close)
        where T : class
    {
        var shelf = new IdleShelf<T>(key, usable, lastUsed, close);
        lock (ClearOthers)
        {
            ClearOthers.Add(shelf.Clear);
            RescheduleOthers.Add(shelf.Reschedule);
        }

        return shelf;
    }

    /// <summary>Applies a changed timeout or limit to the workers already idle.</summary>
    public static void Reschedule()
    {
        Runspaces.Reschedule();
        foreach (Action reschedule in Others(RescheduleOthers))
        {
            reschedule();
        }
    }

    /// <summary>Closes every idle runspace; returns how many.</summary>
    public static int Clear() => Runspaces.Clear();

    /// <summary>Closes every idle worker of every kind; returns how many.</summary>
    public static int ClearAll()
    {
        int closed = Runspaces.Clear();
        foreach (Func<int> clear in Others(ClearOthers))
        {
            closed += clear();
        }

        return closed;
    }

    private static T[] Others<T>(List<T> list)
    {
        lock (ClearOthers)
        {
            return list.ToArray();
        }
    }
}
