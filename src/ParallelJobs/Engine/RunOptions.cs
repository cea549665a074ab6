using System;

namespace ParallelJobs.Engine;

internal sealed class RunOptions
{
    public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

    public bool Ordered { get; set; } = true;

    /// <summary>Fixed batch size; 0 lets each worker size its batches from measured item time.</summary>
    public int BatchSize { get; set; }

    /// <summary>
    /// Adaptive batches grow while a batch takes less than this (at least <see cref="BatchSizer.GrowBelow"/>):
    /// longer for workers whose every batch is a round trip to another process.
    /// </summary>
    public TimeSpan BatchGrowBelow { get; set; }

    /// <summary>How many items input may run ahead of the workers before the reader waits.</summary>
    public int Capacity { get; set; }

    /// <summary>Ordered mode: how far past the oldest unfinished item a worker may start.</summary>
    public int Window { get; set; }

    /// <summary>-ErrorAction Stop: start nothing new after the first item that fails.</summary>
    public bool StopOnFirstError { get; set; }

    /// <summary>How many times a failed or timed-out item is run again.</summary>
    public int RetryCount { get; set; }

    /// <summary>Base delay before a retry; doubled for each further attempt, with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>An item running longer than this is stopped and reported as timed out.</summary>
    public TimeSpan? ItemTimeout { get; set; }

    /// <summary>Stop starting items once this many have failed (after retries).</summary>
    public int? MaxFailures { get; set; }

    /// <summary>Stop starting items once this percentage of finished items have failed.</summary>
    public double? MaxFailurePercent { get; set; }

    /// <summary>-TimeoutSeconds: the whole run is stopped once it has taken this long.</summary>
    public TimeSpan? RunTimeout { get; set; }

    /// <summary>
    /// Write an item's output and records as they come whenever they may be: always with -Unordered, and for
    /// the oldest unfinished item when ordered (every earlier one is written), not only when the item ends.
    /// Off where everything must wait for the item's end: -AsResult, retries (a failed attempt runs again)
    /// and the job log.
    /// </summary>
    public bool LiveOutput { get; set; }

    /// <summary>-RatePerSecond: paces the start of every attempt (Invoke-ParallelJob: key ""), whatever the batch size.</summary>
    public RatePacer? StartPacer { get; set; }

    /// <summary>The pacing key of an item (a web request's host); null starts it unpaced. Without it every item is key "".</summary>
    public Func<WorkItem, string?>? StartPacerKey { get; set; }

    /// <summary>Run items on the pipeline thread, in the caller's runspace, one at a time (-Sequential).</summary>
    public bool Sequential { get; set; }

    public int EffectiveCapacity => Capacity > 0 ? Capacity : Math.Max(4096, ThrottleLimit * 4);

    public int EffectiveWindow => Window > 0 ? Window : EffectiveCapacity * 4;
}
