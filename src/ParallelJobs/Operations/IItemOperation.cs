using System.Collections;
using System.Threading;
using ParallelJobs.Engine;

namespace ParallelJobs.Operations;

/// <summary>
/// A built-in operation: plain C# that runs one item on a worker thread, with no runspace.
/// It returns the item's output, or throws (an <see cref="ItemOperationException"/> to choose the error id).
/// It must honour <paramref name="token"/>, which fires on Ctrl+C and on the item's timeout.
/// </summary>
internal interface IItemOperation
{
    IList? Execute(WorkItem item, ItemContext context, CancellationToken token);
}
