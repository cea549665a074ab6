using System;
using System.Threading;
using ParallelJobs.Engine;

namespace ParallelJobs.Operations;

/// <summary>
/// An operation that waits for its turn before an item begins (a host's free slot, its rate, its Crawl-delay),
/// so that the wait is neither counted against -ItemTimeoutSeconds nor shown as a running item.
/// </summary>
internal interface IPacedOperation
{
    /// <summary>
    /// Dedicated worker thread: waits until the item may start. The result is held while the item runs and
    /// disposed after it; null when <paramref name="token"/> was cancelled first.
    /// </summary>
    IDisposable? WaitTurn(WorkItem item, CancellationToken token);
}
