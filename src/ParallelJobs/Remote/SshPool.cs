using System.Collections.Generic;
using ParallelJobs.Scripting;

namespace ParallelJobs.Remote;

/// <summary>Idle SSH sessions kept warm between calls, under the runspace pool's rules (<see cref="WarmPool"/>).</summary>
internal static class SshPool
{
    private static readonly IdleShelf<PooledSession> Shelf = WarmPool.NewShelf<PooledSession>(s => s.PoolKey, s => s.IsUsable, s => s.LastUsed, s => s.Connection.DisposeInBackground());

    public static PooledSession? TryTake(string poolKey) => Shelf.TryTake(poolKey);

    public static void Return(PooledSession session) => Shelf.Return(session);

    public static IReadOnlyList<PooledSession> Snapshot() => Shelf.Snapshot();
}
