using System;

namespace ParallelJobs.Engine;

/// <summary>One item line of the job log, as read back for -Resume.</summary>
internal sealed class LogEntry
{
    public LogEntry(string key, ItemStatus status, int attempts, DateTime start, double duration, string? outputXml)
    {
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

    /// <summary>The item's output as CliXml, or null when it wrote none.</summary>
    public string? OutputXml { get; }
}
