using System;
using System.Collections.Generic;
using System.IO;

namespace ParallelJobs.Tests;

/// <summary>A fresh folder per test for job-log files, removed afterwards; what every job-log test starts from.</summary>
public abstract class JobLogFolder : IDisposable
{
    protected const string Command = "Invoke-ParallelJob";
    protected const string Signature = "SIG-1";

    protected JobLogFolder()
    {
        Dir = Path.Combine(Path.GetTempPath(), "pj-joblog-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Dir);
        LogFile = Path.Combine(Dir, "run.jsonl");
    }

    /// <summary>The test's folder.</summary>
    protected string Dir { get; }

    /// <summary>The job log's path in it.</summary>
    protected string LogFile { get; }

    /// <summary>Warnings the log wrote (its warn callback).</summary>
    protected List<string> Warnings { get; } = new();

    public void Dispose()
    {
        Directory.Delete(Dir, recursive: true);
        GC.SuppressFinalize(this);
    }
}
