using System.Collections.Generic;
using ParallelJobs.Scripting;

namespace ParallelJobs.Workers;

/// <summary>Idle worker processes kept warm between calls, under the runspace pool's rules (<see cref="WarmPool"/>).</summary>
internal static class ProcessPool
{
    private static readonly IdleShelf<ProcessWorker> Shelf = WarmPool.NewShelf<ProcessWorker>(w => w.PoolKey, w => w.IsUsable, w => w.LastUsed, w => w.Connection.DisposeInBackground());

    public static ProcessWorker? TryTake(string poolKey) => Shelf.TryTake(poolKey);

    public static void Return(ProcessWorker worker) => Shelf.Return(worker);

    public static IReadOnlyList<ProcessWorker> Snapshot() => Shelf.Snapshot();

    public static int Clear() => Shelf.Clear();
}
