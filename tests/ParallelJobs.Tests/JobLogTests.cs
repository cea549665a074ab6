using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Threading.Tasks;
using ParallelJobs.Engine;
using ParallelJobs.Json;
using Xunit;

namespace ParallelJobs.Tests;

public sealed class JobLogTests : JobLogFolder
{
    [Fact]
    public void ANewLogStartsWithAHeader()
    {
        using (JobLog log = Open())
        {
            Assert.Equal(LogFile, log.Path);
            Assert.Equal(0, log.CompletedCount);

            // Flushed as written, so a crash right after still leaves a header.
            Dictionary<string, object?> header = JsonLine.Read(Assert.Single(ReadLines()));
            Assert.Equal("header", header["type"]);
            Assert.Equal(1.0, header["version"]);
            Assert.Equal(Command, header["command"]);
            Assert.StartsWith("pbkdf2:", (string)header["signature"]!); // a salted hash, never the signature itself
            Assert.True(DateTime.TryParse((string)header["created"]!, out _));
        }

        Assert.Empty(Warnings);
    }

    [Fact]
    public void AppendedLinesParse()
    {
        var start = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Local);
        using JobLog log = Open();
        log.Append(Result(0, "k0", ItemStatus.Completed, output: new ArrayList { 1, "two" }, start: start, seconds: 1.5));
        log.Append(Result(1, "k1", ItemStatus.Failed, failure: "boom", attempts: 3));
        log.Append(Result(2, null, ItemStatus.Completed));
        var softError = Result(3, "k3", ItemStatus.Failed);
        softError.AddRecord(StreamKind.Error, new ErrorRecord(new InvalidOperationException("written, not thrown"), "Soft", ErrorCategory.NotSpecified, null));
        log.Append(softError);
        log.Append(Result(4, "k4", ItemStatus.Skipped));
        var fromLog = Result(5, "k5", ItemStatus.Completed);
        fromLog.FromLog = true;
        log.Append(fromLog);

        List<Dictionary<string, object?>> items = ReadLines().Skip(1).Select(JsonLine.Read).ToList();

        Assert.Equal(4, items.Count);
        Assert.All(items, i => Assert.Equal("item", i["type"]));
        Assert.Equal(new object?[] { 0.0, 1.0, 2.0, 3.0 }, items.Select(i => i["index"]));
        Assert.Equal(new object?[] { "k0", "k1", "2", "k3" }, items.Select(i => i["key"]));
        Assert.Equal(new object?[] { "Completed", "Failed", "Completed", "Failed" }, items.Select(i => i["status"]));
        Assert.Equal(new object?[] { 1.0, 3.0, 1.0, 1.0 }, items.Select(i => i["attempts"]));
        Assert.Equal(new object?[] { null, "boom", null, "written, not thrown" }, items.Select(i => i["error"]));
        Assert.Equal(1.5, items[0]["duration"]);
        Assert.Equal(start, DateTime.Parse((string)items[0]["start"]!, null, System.Globalization.DateTimeStyles.RoundtripKind));
        Assert.IsType<string>(items[0]["output"]);
        Assert.Null(items[2]["output"]);
    }

    [Fact]
    public void ResumeReadsTheCompletedEntries()
    {
        var start = new DateTime(2024, 1, 2, 3, 4, 5, 678, DateTimeKind.Local);
        using (JobLog log = Open())
        {
            log.Append(Result(0, "k0", ItemStatus.Completed, output: new ArrayList { 1, "two" }, start: start, seconds: 2.25, attempts: 2));
            log.Append(Result(1, "k1", ItemStatus.Failed, failure: "boom"));
            log.Append(Result(2, "k2", ItemStatus.TimedOut, failure: "slow"));
            log.Append(Result(3, "k3", ItemStatus.Completed));
        }

        using (JobLog log = Open(resume: true))
        {
            Assert.Equal(2, log.CompletedCount);
            Assert.True(log.TryGetCompleted("k0", out LogEntry k0));
            Assert.Equal("k0", k0.Key);
            Assert.Equal(ItemStatus.Completed, k0.Status);
            Assert.Equal(2, k0.Attempts);
            Assert.Equal(2.25, k0.Duration);
            Assert.Equal(start, k0.Start);
            Assert.Equal(new object?[] { 1, "two" }, JobLog.ReadOutput(k0).Select(Unwrap));
            Assert.True(log.TryGetCompleted("k3", out LogEntry k3));
            Assert.Empty(JobLog.ReadOutput(k3));
            Assert.False(log.TryGetCompleted("k1", out _));
            Assert.False(log.TryGetCompleted("k2", out _));

            // The resumed run appends after what is there; it does not start a second header.
            log.Append(Result(1, "k1", ItemStatus.Completed));
        }

        Assert.Single(ReadLines(), l => l.Contains("\"header\""));
        using (JobLog log = Open(resume: true))
        {
            Assert.Equal(3, log.CompletedCount);
            Assert.True(log.TryGetCompleted("k1", out _));
        }

        Assert.Empty(Warnings);
    }

    [Fact]
    public void ResumeWithoutALogStartsOne()
    {
        using (JobLog log = Open(resume: true))
        {
            Assert.Equal(0, log.CompletedCount);
        }

        Assert.Equal("header", JsonLine.Read(Assert.Single(ReadLines()))["type"]);
    }

    [Fact]
    public void AnEmptyFileIsNotAnExistingLog()
    {
        File.WriteAllText(LogFile, string.Empty);

        using (Open())
        {
        }

        Assert.Equal("header", JsonLine.Read(Assert.Single(ReadLines()))["type"]);
    }

    [Fact]
    public void ASignatureMismatchIsRefused()
    {
        WriteCompletedLog("k0", "k1");
        string before = File.ReadAllText(LogFile);

        JobLogException ex = Assert.Throws<JobLogException>(() => Open(resume: true, signature: "OTHER"));

        Assert.Equal("LogMismatch", ex.ErrorId);
        Assert.Contains(LogFile, ex.Message);
        Assert.Equal(before, File.ReadAllText(LogFile));
    }

    [Fact]
    public void ForceResumesFromALogWithAnotherSignature()
    {
        WriteCompletedLog("k0", "k1");

        using JobLog log = Open(resume: true, force: true, signature: "OTHER");

        Assert.Equal(2, log.CompletedCount);
    }

    [Fact]
    public void AnExistingLogWithoutResumeOrForceIsRefused()
    {
        WriteCompletedLog("k0");
        string before = File.ReadAllText(LogFile);

        JobLogException ex = Assert.Throws<JobLogException>(() => Open());

        Assert.Equal("LogExists", ex.ErrorId);
        Assert.Contains("-Resume", ex.Message);
        Assert.Equal(before, File.ReadAllText(LogFile));
    }

    [Fact]
    public void ForceWithoutResumeStartsTheLogOver()
    {
        WriteCompletedLog("k0", "k1");

        using (JobLog log = Open(force: true, signature: "NEW"))
        {
            Assert.Equal(0, log.CompletedCount);
        }

        Dictionary<string, object?> header = JsonLine.Read(Assert.Single(ReadLines()));
        Assert.Equal(JobLogIdentity.Derive("NEW", (string)header["salt"]!).Hash, header["signature"]);
    }

    [Fact]
    public void ACutOffLastLineIsIgnoredWithAWarning()
    {
        WriteCompletedLog("k0");
        File.AppendAllText(LogFile, "{\"type\":\"item\",\"index\":1,\"key\":\"k1\",\"status\":\"Compl");

        using (JobLog log = Open(resume: true))
        {
            Assert.Equal(1, log.CompletedCount);
            Assert.False(log.TryGetCompleted("k1", out _));
            log.Append(Result(1, "k1", ItemStatus.Completed));
        }

        string warning = Assert.Single(Warnings);
        Assert.Contains("incomplete", warning);

        // The half line is cut away, so the log stays readable after this run appended to it.
        Assert.All(ReadLines(), l => JsonLine.Read(l));
        Warnings.Clear();
        using (JobLog log = Open(resume: true))
        {
            Assert.Equal(2, log.CompletedCount);
        }

        Assert.Empty(Warnings);
    }

    [Fact]
    public void ACutOffHeaderIsReplacedByANewOne()
    {
        File.WriteAllText(LogFile, "{\"type\":\"header\",\"vers");

        using (JobLog log = Open(resume: true))
        {
            log.Append(Result(0, "k0", ItemStatus.Completed));
        }

        Assert.Single(Warnings);
        using (JobLog log = Open(resume: true))
        {
            Assert.Equal(1, log.CompletedCount);
        }
    }

    [Fact]
    public void ACorruptMiddleLineIsRefused()
    {
        WriteCompletedLog("k0", "k1");
        List<string> lines = ReadLines();
        lines.Insert(2, "{\"type\":\"item\",garbage}");
        File.WriteAllText(LogFile, string.Join("\n", lines) + "\n");
        string before = File.ReadAllText(LogFile);

        JobLogException ex = Assert.Throws<JobLogException>(() => Open(resume: true));

        Assert.Equal("LogCorrupt", ex.ErrorId);
        Assert.Contains("line 3", ex.Message);
        Assert.IsType<FormatException>(ex.InnerException);
        Assert.Equal(before, File.ReadAllText(LogFile));
        Assert.Empty(Warnings);
    }

    [Theory]
    [InlineData("{\"type\":\"item\",\"key\":\"k0\",\"status\":\"Completed\"}\n")]
    [InlineData("just some text\n")]
    public void AFileThatIsNotAJobLogIsRefused(string content)
    {
        File.WriteAllText(LogFile, content);

        JobLogException ex = Assert.Throws<JobLogException>(() => Open(resume: true));

        Assert.Equal("LogCorrupt", ex.ErrorId);
    }

    [Fact]
    public void WindowsLineEndsAreRead()
    {
        WriteCompletedLog("k0", "k1");
        File.WriteAllText(LogFile, File.ReadAllText(LogFile).Replace("\n", "\r\n"));

        using JobLog log = Open(resume: true);

        Assert.Equal(2, log.CompletedCount);
    }

    [Fact]
    public void AnUnwritableLogIsReported()
    {
        string path = Path.Combine(Dir, "no such dir", "run.jsonl");

        JobLogException ex = Assert.Throws<JobLogException>(() => JobLog.Open(path, Command, Signature, false, false, Warnings.Add));

        Assert.Equal("LogNotWritable", ex.ErrorId);
    }

    [Fact]
    public void ConcurrentAppendsEachWriteOneWholeLine()
    {
        using (JobLog log = Open())
        {
            Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
                log.Append(Result(i, "k" + i, ItemStatus.Completed, output: new ArrayList { new string('x', i) })));
        }

        List<string> lines = ReadLines();
        Assert.Equal(201, lines.Count);
        Assert.Equal(200, lines.Skip(1).Select(l => (string)JsonLine.Read(l)["key"]!).Distinct().Count());
    }

    [Fact]
    public void ReadOutputRoundTripsOutput()
    {
        var custom = new PSObject();
        custom.Properties.Add(new PSNoteProperty("Name", "n1"));
        custom.Properties.Add(new PSNoteProperty("Size", 42));
        using (JobLog log = Open())
        {
            log.Append(Result(0, "k0", ItemStatus.Completed,
                output: new ArrayList { 1, "two", 3.5, true, null, new[] { 4, 5 }, custom, "é☃\n<xml & stuff>" }));
        }

        using (JobLog log = Open(resume: true))
        {
            Assert.True(log.TryGetCompleted("k0", out LogEntry entry));
            object?[] output = JobLog.ReadOutput(entry);

            Assert.Equal(8, output.Length);
            Assert.Equal(new object?[] { 1, "two", 3.5, true, null }, output.Take(5).Select(Unwrap));
            Assert.Equal(new object?[] { 4, 5 }, ((IEnumerable)Unwrap(output[5])!).Cast<object?>().Select(Unwrap));
            var restored = Assert.IsType<PSObject>(output[6]);
            Assert.Equal("n1", restored.Properties["Name"].Value);
            Assert.Equal(42, restored.Properties["Size"].Value);
            Assert.Equal("é☃\n<xml & stuff>", Unwrap(output[7]));
        }
    }

    [Fact]
    public void ReadOutputOfASingleObjectGivesOneObject()
    {
        var entry = new LogEntry("k", ItemStatus.Completed, 1, DateTime.Now, 0, PSSerializer.Serialize(new object[] { "only" }, 2));

        Assert.Equal(new object?[] { "only" }, JobLog.ReadOutput(entry).Select(Unwrap));
    }

    [Fact]
    public void ReadOutputOfNoOutputIsEmpty()
    {
        var entry = new LogEntry("k", ItemStatus.Completed, 1, DateTime.Now, 0, null);

        Assert.Empty(JobLog.ReadOutput(entry));
    }

    private JobLog Open(bool resume = false, bool force = false, string signature = Signature) =>
        JobLog.Open(LogFile, Command, signature, resume, force, Warnings.Add);

    private void WriteCompletedLog(params string[] keys)
    {
        using JobLog log = Open();
        for (int i = 0; i < keys.Length; i++)
        {
            log.Append(Result(i, keys[i], ItemStatus.Completed));
        }
    }

    /// <summary>Reads the log as another process would, while this one may still hold it open.</summary>
    private List<string> ReadLines()
    {
        using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    private static ItemResult Result(long index, string? key, ItemStatus status, IList? output = null, string? failure = null,
        DateTime? start = null, double seconds = 0.1, int attempts = 1)
    {
        var item = new WorkItem(index, "input " + index) { Key = key, Attempts = attempts };
        return new ItemResult(item)
        {
            Status = status,
            Output = output,
            Failure = failure is null ? null : new ErrorRecord(new InvalidOperationException(failure), "Failed", ErrorCategory.NotSpecified, null),
            Attempts = attempts,
            StartTime = start ?? DateTime.Now,
            Duration = TimeSpan.FromSeconds(seconds),
        };
    }

    private static object? Unwrap(object? value) => value is PSObject pso ? pso.BaseObject : value;
}
