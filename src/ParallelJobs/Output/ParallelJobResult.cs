using System;
using System.Management.Automation;

namespace ParallelJobs;

/// <summary>One item's outcome, written by -AsResult in input order.</summary>
public sealed class ParallelJobResult
{
    internal ParallelJobResult(long index, object? input, object?[] output, ErrorRecord[] errors, ItemStatus status, int attempts, DateTime startTime, TimeSpan duration, string? host)
    {
        Index = index;
        Input = input;
        Output = output;
        Errors = errors;
        Status = status;
        Attempts = attempts;
        StartTime = startTime;
        Duration = duration;
        Host = host;
    }

    public long Index { get; }

    public object? Input { get; }

    /// <summary>Everything the item wrote to output.</summary>
    public object?[] Output { get; }

    /// <summary>Every error the item wrote or threw.</summary>
    public ErrorRecord[] Errors { get; }

    public ItemStatus Status { get; }

    /// <summary>How many times the item ran, retries included; 0 when it never started.</summary>
    public int Attempts { get; }

    public DateTime StartTime { get; }

    public TimeSpan Duration { get; }

    /// <summary>The remote host that ran the item; null when it ran locally.</summary>
    public string? Host { get; }

    public override string ToString() => $"[{Index}] {Status}";
}
