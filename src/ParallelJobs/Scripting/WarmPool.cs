using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace ParallelJobs.Scripting;

/// <summary>
/// Worker runspaces kept warm between calls in this process. A call takes a runspace whose pool key
/// matches, and gives it back reset when it is done; idle ones are closed after <see cref="IdleTimeout"/>.
/// </summary>
internal static class WarmPool
{
    private static readonly object Lock = new();
    private static readonly List<WorkerRunspace> Idle = new();
    private static Timer? _timer;

    public static TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The most idle runspaces kept; more are closed on release.</summary>
    public static int MaxIdle { get; set; } = 32;

    public static WorkerRunspace? TryTake(string poolKey)
    {
        lock (Lock)
        {
            for (int i = Idle.Count - 1; i >= 0; i--)
            {
                WorkerRunspace candidate = Idle[i];
                if (candidate.PoolKey == poolKey)
                {
                    Idle.RemoveAt(i);
                    if (candidate.IsUsable)
                    {
                        return candidate;
                    }

                    candidate.Dispose();
                }
            }
        }

        return null;
    }

    public static void Return(WorkerRunspace runspace)
    {
        if (!runspace.IsUsable || IdleTimeout <= TimeSpan.Zero)
        {
            runspace.Dispose();
            return;
        }

        runspace.LastUsed = DateTime.Now;
        WorkerRunspace? surplus = null;
        lock (Lock)
        {
            Idle.Add(runspace);
            if (Idle.Count > MaxIdle)
            {
                surplus = Idle[0];
                Idle.RemoveAt(0);
            }

            _timer ??= new Timer(_ => Expire(), null, Timeout.Infinite, Timeout.Infinite);
            _timer.Change(IdleTimeout + TimeSpan.FromMilliseconds(50), Timeout.InfiniteTimeSpan);
        }

        surplus?.Dispose();
    }

    public static IReadOnlyList<WorkerRunspace> Snapshot()
    {
        lock (Lock)
        {
            return Idle.ToArray();
        }
    }

    /// <summary>Applies a changed timeout or limit to the runspaces already idle.</summary>
    public static void Reschedule()
    {
        while (true)
        {
            WorkerRunspace? surplus = null;
            lock (Lock)
            {
                if (Idle.Count > MaxIdle)
                {
                    surplus = Idle[0];
                    Idle.RemoveAt(0);
                }
            }

            if (surplus is null)
            {
                break;
            }

            surplus.Dispose();
        }

        Expire();
    }

    /// <summary>Closes every idle runspace; returns how many.</summary>
    public static int Clear() => Remove(_ => true);

    private static void Expire()
    {
        DateTime cutoff = DateTime.Now - IdleTimeout;
        Remove(r => r.LastUsed <= cutoff);
        lock (Lock)
        {
            if (Idle.Count > 0)
            {
                DateTime oldest = Idle.Min(r => r.LastUsed);
                TimeSpan due = oldest + IdleTimeout - DateTime.Now;
                _timer?.Change(due > TimeSpan.Zero ? due : TimeSpan.FromMilliseconds(50), Timeout.InfiniteTimeSpan);
            }
        }
    }

    private static int Remove(Func<WorkerRunspace, bool> which)
    {
        List<WorkerRunspace> removed;
        lock (Lock)
        {
            removed = Idle.Where(which).ToList();
            Idle.RemoveAll(r => removed.Contains(r));
        }

        foreach (WorkerRunspace runspace in removed)
        {
            runspace.Dispose();
        }

        return removed.Count;
    }
}
