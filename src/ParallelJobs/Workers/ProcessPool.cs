using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using ParallelJobs.Scripting;

namespace ParallelJobs.Workers;

/// <summary>Idle worker processes kept warm between calls, under the runspace pool's rules (<see cref="WarmPool"/>).</summary>
internal static class ProcessPool
{
    private static readonly IdleShelf<ProcessWorker> Shelf = WarmPool.NewShelf<ProcessWorker>(w => w.PoolKey, w => w.IsUsable, w => w.LastUsed, w => w.DisposeInBackground());

    // Guarded by itself: processes of the last call still being reset, by pool key. A call that starts at
    // once after another waits a little for them rather than start new ones (a second or more each).
    private static readonly Dictionary<string, int> Releasing = new(StringComparer.Ordinal);

    private static readonly TimeSpan ReleaseWait = TimeSpan.FromSeconds(3);

    public static ProcessWorker? TryTake(string poolKey, CancellationToken token)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (Shelf.TryTake(poolKey) is { } worker)
            {
                return worker;
            }

            lock (Releasing)
            {
                if (!Releasing.TryGetValue(poolKey, out int count) || count == 0 || waited.Elapsed > ReleaseWait || token.IsCancellationRequested)
                {
                    return null;
                }

                Monitor.Wait(Releasing, TimeSpan.FromMilliseconds(50));
            }
        }
    }

    /// <summary>
    /// A runner gives a worker back: <paramref name="reset"/> readies it (false when it cannot be reused) on a thread
    /// of its own, so the call that used it ends without waiting for the round trip.
    /// </summary>
    public static void Return(ProcessWorker worker, Func<ProcessWorker, bool> reset)
    {
        BeginRelease(worker);
        var thread = new Thread(() =>
        {
            bool ready = false;
            try
            {
                ready = reset(worker);
            }
            catch (Exception)
            {
                // Not reusable.
            }

            EndRelease(worker, ready);
        })
        {
            IsBackground = true,
            Name = "ParallelJobs reset worker process",
        };
        thread.Start();
    }

    /// <summary>
    /// A worker is being reset after its call: until <see cref="EndRelease"/> it counts as releasing, so the next call
    /// with the same key waits for it, and the pool cmdlets see it.
    /// </summary>
    public static void BeginRelease(ProcessWorker worker) => Change(worker.PoolKey, +1);

    /// <summary>Any thread, once per <see cref="BeginRelease"/>: the reset ended; <paramref name="ready"/> shelves the worker, else it is ended.</summary>
    public static void EndRelease(ProcessWorker worker, bool ready)
    {
        try
        {
            if (ready)
            {
                Shelf.Return(worker);
            }
            else
            {
                worker.DisposeInBackground();
            }
        }
        catch (Exception)
        {
            worker.DisposeInBackground();
        }
        finally
        {
            Change(worker.PoolKey, -1);
        }
    }

    public static void Return(ProcessWorker worker) => Shelf.Return(worker);

    /// <summary>Warm processes of <paramref name="poolKey"/>, idle or still being reset.</summary>
    public static int CountIdle(string poolKey)
    {
        int idle = 0;
        foreach (ProcessWorker worker in Shelf.Snapshot())
        {
            if (worker.PoolKey == poolKey)
            {
                idle++;
            }
        }

        lock (Releasing)
        {
            return idle + (Releasing.TryGetValue(poolKey, out int releasing) ? releasing : 0);
        }
    }

    public static IReadOnlyList<ProcessWorker> Snapshot()
    {
        WaitForReleases();
        return Shelf.Snapshot();
    }

    public static int Clear()
    {
        WaitForReleases();
        return Shelf.Clear();
    }

    /// <summary>Lets workers still being reset reach the shelf first, for a bounded time.</summary>
    private static void WaitForReleases()
    {
        var waited = Stopwatch.StartNew();
        lock (Releasing)
        {
            while (Releasing.Count > 0 && waited.Elapsed < ReleaseWait)
            {
                Monitor.Wait(Releasing, TimeSpan.FromMilliseconds(50));
            }
        }
    }

    private static void Change(string key, int by)
    {
        lock (Releasing)
        {
            Releasing.TryGetValue(key, out int count);
            count += by;
            if (count <= 0)
            {
                Releasing.Remove(key);
            }
            else
            {
                Releasing[key] = count;
            }

            Monitor.PulseAll(Releasing);
        }
    }
}
