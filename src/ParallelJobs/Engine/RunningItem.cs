using System;

namespace ParallelJobs.Engine;

/// <summary>An item being worked on now, as the progress bar shows it: which one, and for how long.</summary>
internal readonly struct RunningItem
{
    public RunningItem(long index, object? input, TimeSpan elapsed)
    {
        Index = index;
        Input = input;
        Elapsed = elapsed;
    }

    public long Index { get; }

    public object? Input { get; }

    /// <summary>How long its current attempt has run.</summary>
    public TimeSpan Elapsed { get; }
}
