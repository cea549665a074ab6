using System.Collections;
using System.Collections.Generic;

namespace ParallelJobs.Engine;

/// <summary>
/// Output and records of a running item that may be written now (<see cref="RunOptions.LiveOutput"/>):
/// the records first, then the output, as a finished item's are written.
/// </summary>
internal sealed class LivePart
{
    public LivePart(ItemResult item, List<StreamRecord>? records, IList? output)
    {
        Item = item;
        Records = records;
        Output = output;
    }

    /// <summary>The item's result in the making: only its identity is read from the pipeline thread.</summary>
    public ItemResult Item { get; }

    public List<StreamRecord>? Records { get; }

    public IList? Output { get; }
}
