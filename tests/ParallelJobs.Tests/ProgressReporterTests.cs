using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using ParallelJobs.Engine;
using Xunit;

namespace ParallelJobs.Tests;

/// <summary>The progress bar's text, estimate and item slots, on a clock the test moves; and the pump's timed wake.</summary>
public class ProgressReporterTests
{
    private int _now;

    [Fact]
    public void FirstShownAfterAQuarterSecondThenTwiceASecond()
    {
        var reporter = new ProgressReporter("Run", () => _now);

        _now = 200;
        Assert.False(reporter.IsDue);
        _now = 250;
        Assert.True(reporter.IsDue);
        reporter.Render(new ProgressSnapshot());
        _now = 600;
        Assert.False(reporter.IsDue);
        _now = 750;
        Assert.True(reporter.IsDue);
    }

    [Fact]
    public void StatusSaysDoneRunningFailedAndTotalOrSoFar()
    {
        var reporter = new ProgressReporter("Run", () => _now);
        _now = 2000;

        ProgressRecord known = reporter.Render(Snapshot(done: 4, failed: 1, total: 10, running: 3))[0];
        ProgressRecord open = reporter.Render(Snapshot(done: 4, failed: 0, total: null, running: 2))[0];

        Assert.Equal("4 of 10 done, 3 running, 1 failed, 2/s, 2 s elapsed", known.StatusDescription);
        Assert.Equal(40, known.PercentComplete);
        Assert.Equal("4 done so far, 2 running, 0 failed, 2/s, 2 s elapsed", open.StatusDescription);
        Assert.Equal(-1, open.PercentComplete);
        Assert.Equal(-1, open.SecondsRemaining);
    }

    [Fact]
    public void EstimateFallsWhileRunningItemsAgeAndNoneCompletes()
    {
        // Five done at 2 s each; five more running, five queued, five at a time.
        int? early = ProgressReporter.Estimate(Snapshot(done: 5, total: 15, running: 5, elapsed: 0.5, mean: 2), 15);
        int? later = ProgressReporter.Estimate(Snapshot(done: 5, total: 15, running: 5, elapsed: 1.5, mean: 2), 15);

        Assert.Equal(4, early); // 1.5 s left on the running ones, then 2 s for the queued wave (ceiling)
        Assert.Equal(3, later);
        Assert.Null(ProgressReporter.Estimate(Snapshot(done: 0, total: 15, running: 5, elapsed: 1, mean: null), 15));
    }

    [Fact]
    public void LongItemsGetSlotsInInputOrderAndSlotsAreRemovedWhenFreed()
    {
        var reporter = new ProgressReporter("Run", () => _now);
        _now = 5000;
        var running = new List<RunningItem>
        {
            new(7, "seven", TimeSpan.FromSeconds(4)),
            new(2, new Hashtable { ["Name"] = "a" }, TimeSpan.FromSeconds(3)),
            new(9, "nine", TimeSpan.FromSeconds(2)),
            new(11, "eleven", TimeSpan.FromSeconds(1.5)),
            new(12, "new", TimeSpan.FromSeconds(0.2)),
        };

        List<ProgressRecord> first = reporter.Render(new ProgressSnapshot { Running = running, Width = 5 });
        List<ProgressRecord> second = reporter.Render(new ProgressSnapshot { Running = running.Skip(3).ToList(), Width = 5 });
        List<ProgressRecord> done = reporter.Complete();

        Assert.Equal(new[] { "[2] @{Name=a}", "[7] seven", "[9] nine" }, first.Skip(1).Select(r => r.Activity));
        Assert.All(first.Skip(1), r => Assert.Equal(ProgressReporter.ActivityId, r.ParentActivityId));
        Assert.Equal("running for 4 s", first[2].StatusDescription);
        Assert.Equal("[11] eleven", second[1].Activity);
        Assert.Equal(new[] { ProgressRecordType.Completed, ProgressRecordType.Completed }, second.Skip(2).Select(r => r.RecordType));
        Assert.Equal(2, done.Count); // the one slot still shown, then the bar
        Assert.All(done, r => Assert.Equal(ProgressRecordType.Completed, r.RecordType));
        Assert.Equal(ProgressReporter.ActivityId, done[^1].ActivityId);
    }

    [Fact]
    public void CompleteWritesNothingWhenTheBarWasNeverShown()
    {
        Assert.Empty(new ProgressReporter("Run", () => _now).Complete());
    }

    [Fact]
    public void ThePumpWakesOnItsTimerWhileNoItemCompletes()
    {
        using var release = new ManualResetEventSlim(false);
        var factory = new FakeRunnerFactory((item, _, token) =>
        {
            release.Wait(token);
            return item.Input;
        });
        using var run = new ParallelRun(new RunOptions { ThrottleLimit = 2 }, factory) { WakeMilliseconds = 20 };
        var snapshots = new List<ProgressSnapshot>();
        int drains = 0;
        run.AfterDrain = () =>
        {
            if (++drains == 10)
            {
                release.Set();
            }

            snapshots.Add(run.Snapshot(null));
        };
        var writer = new CollectingWriter();

        Bounded.Run(() =>
        {
            run.Add(1, null, writer);
            run.Add(2, null, writer);
            run.InputEnded(writer);
        }, "the run");

        Assert.Equal(new long[] { 0, 1 }, writer.Indices);
        Assert.True(drains >= 10, $"The pump drained {drains} times.");
        Assert.Contains(snapshots, s => s.Done == 0 && s.Running.Count == 2 && s.Total == 2);
        Assert.Equal(2, snapshots[^1].Done);
        Assert.Equal(2, snapshots[^1].Total);
        Assert.NotNull(snapshots[^1].MeanSeconds);
    }

    private static ProgressSnapshot Snapshot(long done = 0, int failed = 0, long? total = null, int running = 0, double elapsed = 0, double? mean = null) => new()
    {
        Done = done,
        Failed = failed,
        Total = total,
        Running = Enumerable.Range(0, running).Select(i => new RunningItem(done + i, i, TimeSpan.FromSeconds(elapsed))).ToList(),
        MeanSeconds = mean,
        Width = 5,
    };
}
