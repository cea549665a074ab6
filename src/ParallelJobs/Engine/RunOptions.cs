using System;

namespace ParallelJobs.Engine;

internal sealed class RunOptions
{
    public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

    public bool Ordered { get; set; } = true;

    /// <summary>Fixed batch size; 0 lets each worker size its batches from measured item time.</summary>
    public int BatchSize { get; set; }

    /// <summary>How many items input may run ahead of the workers before the reader waits.</summary>
    public int Capacity { get; set; }

    /// <summary>Ordered mode: how far past the oldest unfinished item a worker may start.</summary>
    public int Window { get; set; }

    /// <summary>-ErrorAction Stop: start nothing new after the first item that fails.</summary>
    public bool StopOnFirstError { get; set; }

    public int EffectiveCapacity => Capacity > 0 ? Capacity : Math.Max(4096, ThrottleLimit * 4);

    public int EffectiveWindow => Window > 0 ? Window : EffectiveCapacity * 4;
}
