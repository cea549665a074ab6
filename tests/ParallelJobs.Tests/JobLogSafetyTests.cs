using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using ParallelJobs.Engine;
using ParallelJobs.Json;
using Xunit;

namespace ParallelJobs.Tests;

/// <summary>The job log against concurrent runs, changed input, damaged lines and a full disk.</summary>
public sealed class JobLogSafetyTests : JobLogFolder
{
    [Fact]
    public void ASecondRunOnTheSameLogIsRefusedAndChangesNothing()
    {
        WriteLog(1, 2);
        byte[] before = File.ReadAllBytes(LogFile);
        using (JobLog first = Open(resume: true))
        {
            JobLogException resumed = Assert.Throws<JobLogException>(() => Open(resume: true));
            JobLogException forced = Assert.Throws<JobLogException>(() => Open(force: true));

            Assert.Equal("LogInUse", resumed.ErrorId);
            Assert.Equal("LogInUse", forced.ErrorId);
            Assert.Contains("in use by another run", resumed.Message);
            Assert.Equal(before, File.ReadAllBytes(LogFile));

            // The log itself stays readable while the run holds it.
            Assert.Equal(3, File.ReadAllLines(LogFile).Length);
        }

        // Once the first run ends, the log is free again, and its lock file is gone.
        using (Open(resume: true))
        {
        }

        Assert.False(File.Exists(LogFile + ".lock"));
    }

    [Fact]
    public void ResumingWithOtherInputUnderTheSameKeysIsRefused()
    {
        WriteLog(1, 2, 3, 4, 5, 6);
        using JobLog log = Open(resume: true);

        Assert.True(log.TryGetCompleted("0", 1, force: false, out LogEntry? same));
        Assert.NotNull(same);
        JobLogException ex = Assert.Throws<JobLogException>(() => log.TryGetCompleted("1", 5, force: false, out _));

        Assert.Equal("LogInputMismatch", ex.ErrorId);
        Assert.Contains("line 3", ex.Message);
    }

    [Fact]
    public void ForceRunsAMismatchedItemAgainInsteadOfReplayingIt()
    {
        WriteLog(1, 2);
        using JobLog log = Open(resume: true);

        Assert.False(log.TryGetCompleted("0", 2, force: true, out LogEntry? entry));
        Assert.Null(entry);
    }

    [Fact]
    public void AnEntryWithoutAFingerprintIsStillUsed()
    {
        File.WriteAllText(LogFile, JsonLine.Write(Header()) + "\n" +
            JsonLine.Write(new Dictionary<string, object?> { ["type"] = "item", ["key"] = "0", ["status"] = "Completed", ["output"] = null }) + "\n");
        using JobLog log = Open(resume: true);

        Assert.True(log.TryGetCompleted("0", "anything", force: false, out _));
    }

    [Fact]
    public void FingerprintsTellInputsApart()
    {
        Assert.Equal(InputFingerprint.Of(1), InputFingerprint.Of(PSObject.AsPSObject(1)));
        Assert.NotEqual(InputFingerprint.Of(1), InputFingerprint.Of(6));
        Assert.NotEqual(InputFingerprint.Of(1), InputFingerprint.Of("1"));
        Assert.Equal(InputFingerprint.Of(new Hashtable { ["a"] = 1, ["b"] = 2 }), InputFingerprint.Of(new Hashtable { ["b"] = 2, ["a"] = 1 }));
        Assert.NotEqual(InputFingerprint.Of(new Hashtable { ["a"] = 1 }), InputFingerprint.Of(new Hashtable { ["a"] = 2 }));
        Assert.DoesNotContain("secret", File.Exists(LogFile) ? File.ReadAllText(LogFile) : string.Empty);
    }

    [Fact]
    public void ATrailingBlankLineIsNotCorruption()
    {
        WriteLog(1, 2);
        File.AppendAllText(LogFile, "\n");

        using JobLog log = Open(resume: true);

        Assert.Equal(2, log.CompletedCount);
        Assert.Empty(Warnings);
    }

    [Fact]
    public void ACompletedLineWithBrokenCliXmlIsReportedWithItsLineNumber()
    {
        WriteLog(1, 2);
        string[] lines = File.ReadAllLines(LogFile);
        Dictionary<string, object?> item = JsonLine.Read(lines[2]);
        item["output"] = ((string)item["output"]!).Substring(0, 40);
        lines[2] = JsonLine.Write(item);
        File.WriteAllLines(LogFile, lines);

        JobLogException ex = Assert.Throws<JobLogException>(() => Open(resume: true));

        Assert.Equal("LogCorrupt", ex.ErrorId);
        Assert.Contains("line 3", ex.Message);
        Assert.Contains("CliXml", ex.Message);
    }

    [Fact]
    public void ReplayingBrokenCliXmlGivesALogError()
    {
        var entry = new LogEntry("k", ItemStatus.Completed, 1, DateTime.Now, 0, "<Objs><Obj>", lineNumber: 7);

        JobLogException ex = Assert.Throws<JobLogException>(() => JobLog.ReadOutput(entry));

        Assert.Equal("LogCorrupt", ex.ErrorId);
        Assert.Contains("line 7", ex.Message);
    }

    [Fact]
    public void AFullDiskIsAClearError()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            return;
        }

        // /dev/full fails every write with ENOSPC, as a full disk does.
        string path = Path.Combine(Dir, "full.jsonl");
        File.CreateSymbolicLink(path, "/dev/full");

        JobLogException ex = Assert.Throws<JobLogException>(() => JobLog.Open(path, Command, Signature, false, true, Warnings.Add));

        Assert.Equal("LogWriteFailed", ex.ErrorId);
        Assert.Contains("disk full", ex.Message);
        Assert.False(File.Exists(path + ".lock"));
    }

    private JobLog Open(bool resume = false, bool force = false) =>
        JobLog.Open(LogFile, Command, Signature, resume, force, Warnings.Add);

    /// <summary>A log of one completed item per input, keyed by index, as a run of Invoke-ParallelJob writes it.</summary>
    private void WriteLog(params object[] inputs)
    {
        using JobLog log = Open(force: true);
        for (int i = 0; i < inputs.Length; i++)
        {
            string key = i.ToString();
            log.TryGetCompleted(key, inputs[i], force: false, out _);
            var item = new WorkItem(i, inputs[i]) { Key = key };
            log.Append(new ItemResult(item)
            {
                Status = ItemStatus.Completed,
                Output = new ArrayList { inputs[i] },
                StartTime = DateTime.Now,
            });
        }
    }

    private static Dictionary<string, object?> Header() => new()
    {
        ["type"] = "header",
        ["version"] = 1,
        ["command"] = Command,
        ["signature"] = Signature,
    };
}
