using System.Collections.Generic;

namespace ParallelJobs.Engine;

/// <summary>Where a run stands, read on the pipeline thread when the progress bar is due.</summary>
internal sealed class ProgressSnapshot
{
    /// <summary>Items accounted for: finished (failed or not), skipped, refused or taken from the job log.</summary>
    public long Done { get; set; }

    public int Failed { get; set; }

    /// <summary>How many items there are, or null while input may still bring more.</summary>
    public long? Total { get; set; }

    /// <summary>The items running now, longest-running first.</summary>
    public IReadOnlyList<RunningItem> Running { get; set; } = new List<RunningItem>();

    /// <summary>The mean time an item took, over the items run to their end so far; null before the first.</summary>
    public double? MeanSeconds { get; set; }

    /// <summary>How many items may run at once (-ThrottleLimit, or the remote slots).</summary>
    public int Width { get; set; } = 1;
}
