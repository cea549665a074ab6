using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace ParallelJobs.Engine;

/// <summary>Everything one item produced. Built on a worker thread, written on the pipeline thread.</summary>
internal sealed class ItemResult
{
    public ItemResult(WorkItem item)
    {
        Item = item;
    }

    public WorkItem Item { get; }

    public long Index => Item.Index;

    /// <summary>What the item wrote to output, in order; null when it wrote nothing.</summary>
    public IList? Output { get; set; }

    /// <summary>Records of the other streams, in the order they were written.</summary>
    public List<StreamRecord>? Records { get; private set; }

    /// <summary>The terminating error that ended the item, if any.</summary>
    public ErrorRecord? Failure { get; set; }

    public ItemStatus Status { get; set; } = ItemStatus.Completed;

    /// <summary>How many attempts the item took, retries included.</summary>
    public int Attempts { get; set; }

    public DateTime StartTime { get; set; }

    /// <summary>The time of all its attempts together.</summary>
    public TimeSpan Duration { get; set; }

    /// <summary>The time of the attempt that ended it.</summary>
    public TimeSpan LastAttemptDuration { get; set; }

    public string? HostName { get; set; }

    public int ErrorCount { get; private set; }

    /// <summary>True when the result was read from the job log of an earlier run (-Resume).</summary>
    public bool FromLog { get; set; }

    /// <summary>Set by an operation whose failure another attempt cannot fix: -RetryCount leaves it alone.</summary>
    public bool NoRetry { get; set; }

    /// <summary>The least wait before a retry that the failure asked for (an HTTP Retry-After), or null.</summary>
    public TimeSpan? RetryAfter { get; set; }

    public bool HasErrors => Failure is not null || ErrorCount > 0;

    /// <summary>Takes the records so far away (they were written live); the error count stays.</summary>
    public List<StreamRecord>? TakeRecords()
    {
        List<StreamRecord>? records = Records;
        Records = null;
        return records;
    }

    /// <summary>An error record written live still fails the item.</summary>
    public void CountError() => ErrorCount++;

    public void AddRecord(StreamKind kind, object record)
    {
        (Records ??= new List<StreamRecord>()).Add(new StreamRecord(kind, record));
        if (kind == StreamKind.Error)
        {
            ErrorCount++;
        }
    }
}
