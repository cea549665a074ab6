using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using ParallelJobs.Engine;
using Xunit;

namespace ParallelJobs.Tests;

/// <summary>
/// The attempt protocol, driven by runners written here in plain C# (no runspace): whatever a runner
/// does, the engine counts each attempt, put-back, lost worker and retry exactly once.
/// </summary>
public class ItemAttemptTests
{
    [Fact]
    public void ATimeoutThatWinsTheRaceEndsTheItemOnceAsTimedOutWithItsOutput()
    {
        var stops = new ConcurrentBag<long>();
        var options = new RunOptions { ThrottleLimit = 1, ItemTimeout = TimeSpan.FromMilliseconds(50) };
        var factory = new DelegateRunnerFactory((batch, context) =>
        {
            foreach (WorkItem item in batch)
            {
                ItemAttempt attempt = context.Begin(item, a => stops.Add(a.Index));
                attempt.AddOutput("written before the stop");
                Bounded.Until(() => attempt.TimedOut, "the deadline passes");
                // The runner finishes after the watchdog fired: the timeout has won, and Finish says so.
                attempt.Finish();
                attempt.Finish();
                attempt.Fail(new ErrorRecord(new InvalidOperationException("late"), "Late", ErrorCategory.NotSpecified, null));
            }
        });

        CollectingWriter writer = Run(options, factory, 1);

        ItemResult result = Assert.Single(writer.Results);
        Assert.Equal(ItemStatus.TimedOut, result.Status);
        Assert.Equal("ItemTimedOut", result.Failure!.FullyQualifiedErrorId);
        Assert.Equal(new object?[] { "written before the stop" }, result.Output!.Cast<object?>());
        Assert.Equal(1, result.Attempts);
        Assert.Equal(new long[] { 0 }, stops.ToArray());
        Assert.Equal(RunEnd.Completed, writer.Outcome!.End);
    }

    [Fact]
    public void AFinishThatWinsTheRaceIsNeverStoppedOrTimedOut()
    {
        int stops = 0;
        var options = new RunOptions { ThrottleLimit = 2, ItemTimeout = TimeSpan.FromMilliseconds(30) };
        var factory = new DelegateRunnerFactory((batch, context) =>
        {
            foreach (WorkItem item in batch)
            {
                ItemAttempt attempt = context.Begin(item, _ => Interlocked.Increment(ref stops));
                attempt.Finish();
            }
        });

        CollectingWriter writer = Run(options, factory, 200);
        Thread.Sleep(100);

        Assert.Equal(200, writer.Results.Count);
        Assert.All(writer.Results, r => Assert.Equal(ItemStatus.Completed, r.Status));
        Assert.Equal(0, Volatile.Read(ref stops));
    }

    [Fact]
    public void FinishesRacingTheDeadlineEachEndTheirItemExactlyOnce()
    {
        // Items end right around their deadline: each one is either completed or timed out, never both.
        var options = new RunOptions { ThrottleLimit = 2, BatchSize = 1, ItemTimeout = TimeSpan.FromMilliseconds(5) };
        var factory = new DelegateRunnerFactory((batch, context) =>
        {
            foreach (WorkItem item in batch)
            {
                ItemAttempt attempt = context.Begin(item, _ => { });
                Thread.Sleep((int)(item.Index % 3) * 4);
                attempt.Finish();
            }
        });

        CollectingWriter writer = Run(options, factory, 60);

        Assert.Equal(Enumerable.Range(0, 60).Select(i => (long)i), writer.Indices);
        Assert.All(writer.Results, r =>
        {
            Assert.Contains(r.Status, new[] { ItemStatus.Completed, ItemStatus.TimedOut });
            Assert.Equal(1, r.Attempts);
            Assert.Equal(r.Status == ItemStatus.TimedOut, r.Failure is not null);
        });
    }

    [Fact]
    public void APutBackItemRunsAgainAndIsCountedOnce()
    {
        int begun = 0;
        var options = new RunOptions { ThrottleLimit = 1, BatchSize = 3 };
        var factory = new DelegateRunnerFactory((batch, context) =>
        {
            for (int i = 0; i < batch.Count; i++)
            {
                ItemAttempt attempt = context.Begin(batch[i]);
                Interlocked.Increment(ref begun);
                if (batch[i].Index == 1 && Volatile.Read(ref begun) <= 2)
                {
                    // Cut short as it began (a stop that landed late): it and the rest go back.
                    attempt.PutBack();
                    context.PutBackFrom(batch, i + 1);
                    return;
                }

                attempt.SetOutput(new ArrayList { batch[i].Input });
                attempt.Finish();
            }
        });

        CollectingWriter writer = Run(options, factory, 3);

        Assert.Equal(new long[] { 0, 1, 2 }, writer.Indices);
        Assert.All(writer.Results, r => Assert.Equal(ItemStatus.Completed, r.Status));
        Assert.All(writer.Results, r => Assert.Equal(1, r.Attempts));
        Assert.Equal(4, Volatile.Read(ref begun));
    }

    [Fact]
    public void ALostWorkerSendsTheItemRoundAgainWithoutUsingUpARetry()
    {
        var losses = new ConcurrentDictionary<long, int>();
        var options = new RunOptions { ThrottleLimit = 2, BatchSize = 1, RetryCount = 1, RetryDelay = TimeSpan.FromMilliseconds(5) };
        var factory = new DelegateRunnerFactory((batch, context) =>
        {
            foreach (WorkItem item in batch)
            {
                ItemAttempt attempt = context.Begin(item);
                if (item.Index == 0 && item.Attempts < ItemPolicy.MaxWorkerLosses)
                {
                    losses.AddOrUpdate(0, 1, (_, n) => n + 1);
                    attempt.WorkerLost(n => new ErrorRecord(new InvalidOperationException($"lost {n} times"), "Lost", ErrorCategory.ConnectionError, null));
                    continue;
                }

                if (item.Index == 0 && item.Attempts == ItemPolicy.MaxWorkerLosses)
                {
                    // The first attempt that ends fails: the one retry is still there for it.
                    attempt.Fail(new ErrorRecord(new InvalidOperationException("flaky"), "Flaky", ErrorCategory.NotSpecified, null));
                    continue;
                }

                attempt.Finish();
            }
        });

        CollectingWriter writer = Run(options, factory, 2);

        Assert.Equal(ItemPolicy.MaxWorkerLosses - 1, losses[0]);
        Assert.Equal(ItemStatus.Completed, writer.At(0).Status);
        // Every start is counted: two lost, one failed, one that completed.
        Assert.Equal(ItemPolicy.MaxWorkerLosses + 1, writer.At(0).Attempts);
        Assert.Equal(1, writer.At(1).Attempts);
    }

    [Fact]
    public void AnItemThatLosesItsWorkerTooOftenFailsWithTheRunnersError()
    {
        int lost = 0;
        var options = new RunOptions { ThrottleLimit = 1, RetryCount = 0 };
        var factory = new DelegateRunnerFactory((batch, context) =>
        {
            foreach (WorkItem item in batch)
            {
                Interlocked.Increment(ref lost);
                context.Begin(item).WorkerLost(n => new ErrorRecord(new InvalidOperationException($"lost {n} times"), "Lost", ErrorCategory.ConnectionError, item.Input));
            }
        });

        CollectingWriter writer = Run(options, factory, 1);

        ItemResult result = Assert.Single(writer.Results);
        Assert.Equal(ItemStatus.Failed, result.Status);
        Assert.Equal($"lost {ItemPolicy.MaxWorkerLosses} times", result.Failure!.Exception.Message);
        Assert.Equal(ItemPolicy.MaxWorkerLosses, Volatile.Read(ref lost));
        Assert.Equal(1, writer.Outcome!.Failed);
    }

    [Fact]
    public void AFailedAttemptIsRetriedOnceAndAnnouncedOnce()
    {
        var options = new RunOptions { ThrottleLimit = 1, RetryCount = 1, RetryDelay = TimeSpan.FromMilliseconds(5) };
        var factory = new DelegateRunnerFactory((batch, context) =>
        {
            foreach (WorkItem item in batch)
            {
                ItemAttempt attempt = context.Begin(item);
                if (item.Attempts == 1)
                {
                    attempt.Fail(new ErrorRecord(new InvalidOperationException("flaky"), "Flaky", ErrorCategory.NotSpecified, null));
                }
                else
                {
                    attempt.Finish();
                }
            }
        });

        CollectingWriter writer = Run(options, factory, 1);

        ItemResult result = Assert.Single(writer.Results);
        Assert.Equal(ItemStatus.Completed, result.Status);
        Assert.Equal(2, result.Attempts);
        Assert.Single(writer.Live, l => l.Kind == StreamKind.Verbose);
        Assert.Equal(0, writer.Outcome!.Failed);
        Assert.Equal(1, writer.Outcome.Finished);
    }

    [Fact]
    public void AnErrorRecordAloneFailsTheItem()
    {
        var factory = new DelegateRunnerFactory((batch, context) =>
        {
            foreach (WorkItem item in batch)
            {
                ItemAttempt attempt = context.Begin(item);
                attempt.AddRecord(StreamKind.Error, new ErrorRecord(new InvalidOperationException("non-terminating"), "Soft", ErrorCategory.NotSpecified, null));
                attempt.Finish();
            }
        });

        CollectingWriter writer = Run(new RunOptions { ThrottleLimit = 1 }, factory, 1);

        Assert.Equal(ItemStatus.Failed, Assert.Single(writer.Results).Status);
    }

    [Fact]
    public void AWorkerStuckPastItsTimeoutAndGraceIsAbandonedAndReplaced()
    {
        // Item 0 sits in a wait that no stop reaches; with one worker, the others can only run on its replacement.
        using var release = new ManualResetEventSlim(false);
        int created = 0;
        int lateEnds = 0;
        var options = new RunOptions { ThrottleLimit = 1, BatchSize = 4, ItemTimeout = TimeSpan.FromMilliseconds(100) };
        var factory = new DelegateRunnerFactory((batch, context) =>
        {
            for (int i = 0; i < batch.Count; i++)
            {
                if (context.ShouldStop)
                {
                    context.PutBackFrom(batch, i);
                    return;
                }

                ItemAttempt attempt = context.Begin(batch[i], _ => { });
                attempt.AddOutput($"out {batch[i].Index}");
                if (batch[i].Index == 0)
                {
                    release.Wait(Bounded.Hang);
                    Interlocked.Increment(ref lateEnds);
                }

                attempt.Finish();
            }
        }, () => Interlocked.Increment(ref created));

        CollectingWriter writer;
        using (var run = new ParallelRun(options, factory))
        {
            writer = new CollectingWriter();
            Bounded.Run(() =>
            {
                for (int i = 0; i < 4; i++)
                {
                    run.Add(i, null, writer);
                }

                writer.Outcome = run.InputEnded(writer);

                // The stuck thread returns only now: what it does counts for nothing.
                release.Set();
                Bounded.Until(() => Volatile.Read(ref lateEnds) == 1, "the stuck item returns");
                Thread.Sleep(50);
                run.Drain(writer);
            }, "the run");
        }

        Assert.Equal(new long[] { 0, 1, 2, 3 }, writer.Indices);
        Assert.Equal(ItemStatus.TimedOut, writer.At(0).Status);
        Assert.Equal(new object?[] { "out 0" }, writer.At(0).Output!.Cast<object?>());
        Assert.All(writer.Results.Skip(1), r => Assert.Equal(ItemStatus.Completed, r.Status));
        Assert.Equal(2, Volatile.Read(ref created));
        Assert.Equal(1, writer.Outcome!.Failed);
    }

    private static CollectingWriter Run(RunOptions options, IRunnerFactory factory, int count)
    {
        using var run = new ParallelRun(options, factory);
        var writer = new CollectingWriter();
        Bounded.Run(() =>
        {
            for (int i = 0; i < count; i++)
            {
                run.Add(i, null, writer);
            }

            writer.Outcome = run.InputEnded(writer);
        }, "the run");
        return writer;
    }

    /// <summary>A runner whose whole batch handling is the test's delegate.</summary>
    private sealed class DelegateRunnerFactory : IRunnerFactory
    {
        private readonly Action<IReadOnlyList<WorkItem>, RunContext> _run;
        private readonly Action? _created;

        public DelegateRunnerFactory(Action<IReadOnlyList<WorkItem>, RunContext> run, Action? created = null)
        {
            _run = run;
            _created = created;
        }

        public IItemRunner Create(RunContext context)
        {
            _created?.Invoke();
            return new Runner(_run, context);
        }

        private sealed class Runner : IItemRunner
        {
            private readonly Action<IReadOnlyList<WorkItem>, RunContext> _run;
            private readonly RunContext _context;

            public Runner(Action<IReadOnlyList<WorkItem>, RunContext> run, RunContext context)
            {
                _run = run;
                _context = context;
            }

            public void Run(IReadOnlyList<WorkItem> batch) => _run(batch, _context);

            public void Stop()
            {
            }

            public void Dispose()
            {
            }
        }
    }
}
