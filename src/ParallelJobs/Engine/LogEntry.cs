using System;

namespace ParallelJobs.Engine;

/// <summary>One item line of the job log, as read back for -Resume.</summary>
internal sealed class LogEntry
{
    public LogEntry(string key, ItemStatus status, int attempts, DateTime start, double duration, string? outputXml, string? fingerprint = null, int lineNumber = 0)
    {
        Fingerprint = fingerprint;
        LineNumber = lineNumber;
        Key = key;
        Status = status;
        Attempts = attempts;
        Start = start;
        Duration = duration;
        OutputXml = outputXml;
    }

    public string Key { get; }

    public ItemStatus Status { get; }

    public int Attempts { get; }

    public DateTime Start { get; }

    public double Duration { get; }

    /// <summary>The fingerprint of the item's input (<see cref="InputFingerprint"/>); null in a log written before there were any.</summary>
    public string? Fingerprint { get; }

    /// <summary>The entry's line in the log, for error messages.</summary>
    public int LineNumber { get; }

    /// <summary>The item's output as CliXml, or null when it wrote none.</summary>
    public string? OutputXml { get; }
}
