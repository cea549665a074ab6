using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using ParallelJobs.Engine;
using ParallelJobs.Operations;
using Xunit;

namespace ParallelJobs.Tests;

/// <summary>The engine end to end with fake runners: real worker threads, no runspaces.</summary>
public class ParallelRunTests
{
    [Theory]
    [InlineData(4, 8, 16)]
    [InlineData(8, 0, 0)]
    public void ResultsComeOutInInputOrderDespiteRandomDelays(int throttle, int window, int capacity)
    {
        var options = new RunOptions { ThrottleLimit = throttle, Window = window, Capacity = capacity };
        var factory = new FakeRunnerFactory((item, _, _) =>
        {
            Thread.Sleep(Random.Shared.Next(3));
            return (int)item.Input! * 2;
        });

        CollectingWriter writer = RunAll(options, factory, Enumerable.Range(0, 300).Cast<object?>());

        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), writer.Indices);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => i * 2), writer.Results.Select(r => (int)r.Output![0]!));
        Assert.All(writer.Results, r =>
        {
            Assert.Equal(ItemStatus.Completed, r.Status);
            Assert.Equal(1, r.Attempts);
        });
        Assert.True(writer.WrittenFromOneThread, "Results were written from more than one thread.");
        Assert.InRange(factory.Created, 1, throttle);
    }

    [Fact]
    public void UnorderedReturnsEveryResultOnce()
    {
        var options = new RunOptions { ThrottleLimit = 4, Ordered = false };
        var factory = new FakeRunnerFactory((item, _, _) =>
        {
            Thread.Sleep(Random.Shared.Next(3));
            return item.Input;
        });

        CollectingWriter writer = RunAll(options, factory, Enumerable.Range(0, 200).Cast<object?>());

        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), writer.Indices.OrderBy(i => i));
        Assert.All(writer.Results, r => Assert.Equal((int)r.Item.Input!, (int)r.Output![0]!));
    }

    [Fact]
    public void EmptyInputCompletesWithNothing()
    {
        var factory = new FakeRunnerFactory((item, _, _) => item.Input);

        CollectingWriter writer = RunAll(new RunOptions { ThrottleLimit = 4 }, factory, Array.Empty<object?>());

        Assert.Empty(writer.Results);
        Assert.Equal(0, factory.Created);
    }

    [Fact]
    public void StopOnFirstErrorHaltsDispatch()
    {
        // One worker taking one item at a time makes "what started" exact.
        var options = new RunOptions { ThrottleLimit = 1, BatchSize = 1, StopOnFirstError = true };
        var factory = new FakeRunnerFactory((item, _, _) => item.Index == 5 ? throw new InvalidOperationException("item 5 broke") : item.Input);
        using var run = new ParallelRun(options, factory);

        CollectingWriter writer = RunAll(run, Enumerable.Range(0, 50).Cast<object?>());

        Assert.Equal(RunEnd.FirstError, writer.Outcome!.End);
        Assert.Equal(6, factory.Started);
        Assert.Equal(1, run.Failed);
        // Input read after the halt is not taken any more; what was read is written in order.
        Assert.Equal(Enumerable.Range(0, writer.Results.Count).Select(i => (long)i), writer.Indices);
        Assert.InRange(writer.Results.Count, 6, 50);
        Assert.All(writer.Results.Take(5), r => Assert.Equal(ItemStatus.Completed, r.Status));
        Assert.Equal(ItemStatus.Failed, writer.At(5).Status);
        Assert.Equal("item 5 broke", writer.At(5).Failure!.Exception.Message);
        Assert.All(writer.Results.Skip(6), r =>
        {
            Assert.Equal(ItemStatus.Skipped, r.Status);
            Assert.Null(r.Output);
            Assert.Null(r.Failure);
        });
    }

    [Fact]
    public void AddAfterAHaltStopsReadingInputAndReportsTheHalt()
    {
        var options = new RunOptions { ThrottleLimit = 2, StopOnFirstError = true };
        var factory = new FakeRunnerFactory((item, _, _) => throw new InvalidOperationException("first item fails"));
        using var run = new ParallelRun(options, factory);
        var writer = new CollectingWriter();

        RunEndedException? ended = Bounded.Run(() =>
        {
            run.Add("first", null, writer);
            Bounded.Until(() => run.Failed == 1, "the first item fails");
            return Assert.Throws<RunEndedException>(() => run.Add(1, null, writer));
        }, "the run");

        Assert.Equal(RunEnd.FirstError, ended.Outcome.End);
        Assert.Equal(1, ended.Outcome.Failed);
        Assert.Equal(1, factory.Started);
        Assert.Equal(new long[] { 0 }, writer.Indices);
        Assert.Equal(ItemStatus.Failed, writer.At(0).Status);
    }

    [Fact]
    public void RetryCountRerunsFailedItemsAndRecordsAttempts()
    {
        var options = new RunOptions { ThrottleLimit = 3, RetryCount = 2, RetryDelay = TimeSpan.FromMilliseconds(10) };
        var factory = new FakeRunnerFactory((item, _, _) =>
        {
            if (item.Index == 3 && item.Attempts <= 2)
            {
                throw new IOException($"flaky, attempt {item.Attempts}");
            }

            if (item.Index == 7)
            {
                throw new IOException("always broken");
            }

            return item.Input;
        });
        using var run = new ParallelRun(options, factory);

        CollectingWriter writer = RunAll(run, Enumerable.Range(0, 20).Cast<object?>());

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), writer.Indices);
        Assert.Equal(ItemStatus.Completed, writer.At(3).Status);
        Assert.Equal(3, writer.At(3).Attempts);
        Assert.Equal(3, writer.At(3).Output![0]);
        Assert.Equal(ItemStatus.Failed, writer.At(7).Status);
        Assert.Equal(3, writer.At(7).Attempts);
        Assert.Equal("always broken", writer.At(7).Failure!.Exception.Message);
        Assert.All(writer.Results.Where(r => r.Index is not 3 and not 7), r => Assert.Equal(1, r.Attempts));
        Assert.Equal(20 + 4, factory.Started);
        Assert.Equal(1, run.Failed);
        Assert.Equal(20, run.Finished);
        Assert.Equal(RunEnd.Completed, writer.Outcome!.End);

        // Each retry is announced as it is scheduled.
        LiveRecord[] retries = writer.Live.Where(l => l.Kind == StreamKind.Verbose).ToArray();
        Assert.Equal(4, retries.Length);
        Assert.Equal(new long[] { 3, 3, 7, 7 }, retries.Select(l => l.Index).OrderBy(i => i));
        Assert.All(retries, l => Assert.Contains("retrying", ((VerboseRecord)l.Record).Message));
    }

    [Fact]
    public void MaxFailuresHaltsTheRun()
    {
        var options = new RunOptions { ThrottleLimit = 1, BatchSize = 1, MaxFailures = 3 };
        var factory = new FakeRunnerFactory((item, _, _) => item.Index % 2 == 1 ? throw new InvalidOperationException("odd") : item.Input);
        using var run = new ParallelRun(options, factory);

        CollectingWriter writer = RunAll(run, Enumerable.Range(0, 40).Cast<object?>());

        Assert.Equal(RunEnd.FailureLimitReached, writer.Outcome!.End);
        Assert.Equal(3, run.Failed);
        Assert.Equal(6, run.Finished);
        Assert.Equal(6, factory.Started);
        Assert.InRange(writer.Results.Count, 6, 40);
        Assert.Equal(new[] { 1L, 3, 5 }, writer.Results.Where(r => r.Status == ItemStatus.Failed).Select(r => r.Index));
        Assert.All(writer.Results.Skip(6), r => Assert.Equal(ItemStatus.Skipped, r.Status));
    }

    [Fact]
    public void MaxFailurePercentIsJudgedOnceTenItemsHaveFinished()
    {
        var options = new RunOptions { ThrottleLimit = 1, BatchSize = 1, MaxFailurePercent = 50 };
        var factory = new FakeRunnerFactory((item, _, _) => throw new InvalidOperationException("all fail"));
        using var run = new ParallelRun(options, factory);

        CollectingWriter writer = RunAll(run, Enumerable.Range(0, 30).Cast<object?>());

        Assert.Equal(RunEnd.FailureLimitReached, writer.Outcome!.End);
        Assert.Equal(10, run.Finished);
        Assert.Equal(10, run.Failed);
        Assert.Equal(10, factory.Started);
        Assert.Equal(writer.Results.Count - 10, writer.Results.Count(r => r.Status == ItemStatus.Skipped));
    }

    [Fact]
    public void CancelFromAnotherThreadMakesCompleteThrowWhileItemsStillRun()
    {
        // The items ignore the token (uninterruptible .NET code): Complete must not wait for them.
        using var started = new CountdownEvent(2);
        using var release = new ManualResetEventSlim(false);
        var factory = new FakeRunnerFactory((item, _, _) =>
        {
            started.Signal();
            release.Wait(Bounded.Hang);
            return item.Input;
        });
        var run = new ParallelRun(new RunOptions { ThrottleLimit = 2 }, factory);
        try
        {
            RunOutcome outcome = CancelDuringComplete(run, started);

            Assert.Equal(RunEnd.Stopped, outcome.End);
        }
        finally
        {
            release.Set();
            Bounded.Run(run.Dispose, "Dispose after Cancel");
        }

        Assert.Equal(2, factory.Started);
    }

    [Fact]
    public void CancelFromAnotherThreadMakesCompleteThrowWhenItemsStopAtOnce()
    {
        // The race goes either way; a few rounds make a pass mean something.
        for (int round = 0; round < 5; round++)
        {
            using var started = new CountdownEvent(2);
            FakeRunnerFactory factory = RunningUntilCancelled(started);
            using var run = new ParallelRun(new RunOptions { ThrottleLimit = 2 }, factory);

            RunOutcome outcome = CancelDuringComplete(run, started);

            Assert.Equal(RunEnd.Stopped, outcome.End);
        }
    }

    [Fact]
    public void CancelFromAnotherThreadEndsCompleteWithoutHanging()
    {
        for (int round = 0; round < 5; round++)
        {
            using var started = new CountdownEvent(2);
            FakeRunnerFactory factory = RunningUntilCancelled(started);
            var run = new ParallelRun(new RunOptions { ThrottleLimit = 2 }, factory);

            RunOutcome outcome = CancelDuringComplete(run, started);

            Assert.Equal(RunEnd.Stopped, outcome.End);
            Bounded.Run(run.Dispose, "Dispose after Cancel");
            Assert.Equal(2, factory.Started);
        }
    }

    /// <summary>Items that signal they started, then run until the run is cancelled.</summary>
    private static FakeRunnerFactory RunningUntilCancelled(CountdownEvent started) => new((item, _, token) =>
    {
        started.Signal();
        token.WaitHandle.WaitOne(Bounded.Hang);
        token.ThrowIfCancellationRequested();
        return item.Input;
    });

    /// <summary>Feeds six items, and cancels from another thread once <paramref name="started"/> is signalled.</summary>
    private static RunOutcome CancelDuringComplete(ParallelRun run, CountdownEvent started)
    {
        var writer = new CollectingWriter();
        var canceller = Bounded.Start(() =>
        {
            bool allStarted = started.Wait(Bounded.Hang);
            run.Cancel();
            return allStarted;
        });
        RunOutcome outcome = Bounded.Run(() =>
        {
            try
            {
                for (int i = 0; i < 6; i++)
                {
                    run.Add(i, null, writer);
                }

                return run.InputEnded(writer);
            }
            catch (RunEndedException ended)
            {
                return ended.Outcome;
            }
        }, "InputEnded after Cancel");
        Assert.True(Bounded.Finish(canceller, "the cancel"), "The items never started.");
        return outcome;
    }

    [Fact]
    public void ItemTimeoutStopsAnItemThatWaitsOnItsToken()
    {
        var options = new RunOptions { ThrottleLimit = 2, ItemTimeout = TimeSpan.FromMilliseconds(200) };
        var operation = new DelegateOperation((item, _, token) =>
        {
            if (item.Index == 1)
            {
                token.WaitHandle.WaitOne(Bounded.Hang);
                token.ThrowIfCancellationRequested();
            }

            return new ArrayList { item.Input };
        });
        using var run = new ParallelRun(options, new OperationRunnerFactory(operation));

        CollectingWriter writer = RunAll(run, new object?[] { "a", "b", "c" });

        Assert.Equal(new long[] { 0, 1, 2 }, writer.Indices);
        ItemResult late = writer.At(1);
        Assert.Equal(ItemStatus.TimedOut, late.Status);
        Assert.Equal("ItemTimedOut", late.Failure!.FullyQualifiedErrorId);
        Assert.IsType<TimeoutException>(late.Failure.Exception);
        Assert.Equal("b", late.Failure.TargetObject);
        Assert.Equal(ItemStatus.Completed, writer.At(0).Status);
        Assert.Equal(ItemStatus.Completed, writer.At(2).Status);
        Assert.Equal("c", writer.At(2).Output![0]);
        Assert.Equal(1, run.Failed);
    }

    [Fact]
    public void ATimedOutItemIsRetried()
    {
        var options = new RunOptions
        {
            ThrottleLimit = 1,
            ItemTimeout = TimeSpan.FromMilliseconds(100),
            RetryCount = 1,
            RetryDelay = TimeSpan.Zero,
        };
        var operation = new DelegateOperation((item, _, token) =>
        {
            token.WaitHandle.WaitOne(Bounded.Hang);
            token.ThrowIfCancellationRequested();
            return null;
        });
        using var run = new ParallelRun(options, new OperationRunnerFactory(operation));

        CollectingWriter writer = RunAll(run, new object?[] { "slow" });

        ItemResult result = Assert.Single(writer.Results);
        Assert.Equal(ItemStatus.TimedOut, result.Status);
        Assert.Equal(2, result.Attempts);
    }

    [Fact]
    public void RefillFromInsideAnItemJoinsTheRunInOrder()
    {
        var options = new RunOptions { ThrottleLimit = 4 };
        var factory = new FakeRunnerFactory((item, context, _) =>
        {
            int n = (int)item.Input!;
            if (n < 19)
            {
                context.Refill(n + 1);
            }

            return n * 10;
        });

        CollectingWriter writer = RunAll(options, factory, new object?[] { 0 });

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), writer.Indices);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i * 10), writer.Results.Select(r => (int)r.Output![0]!));
    }

    [Fact]
    public void ItemContextAddFansOutToEveryChild()
    {
        // A crawler: every page below depth 4 links to two more.
        var options = new RunOptions { ThrottleLimit = 3, Window = 4, Capacity = 4 };
        var operation = new DelegateOperation((item, context, _) =>
        {
            int depth = (int)item.Input!;
            if (depth < 4)
            {
                context.Add(depth + 1);
                context.Add(depth + 1);
            }

            return new ArrayList { depth };
        });

        CollectingWriter writer = RunAll(options, new OperationRunnerFactory(operation), new object?[] { 0 });

        Assert.Equal(Enumerable.Range(0, 31).Select(i => (long)i), writer.Indices);
        Assert.Equal(16, writer.Results.Count(r => (int)r.Output![0]! == 4));
    }

    [Fact]
    public void FinishedAndRefusedItemsKeepTheirPlace()
    {
        var options = new RunOptions { ThrottleLimit = 2 };
        var factory = new FakeRunnerFactory((item, _, _) => "ran " + item.Input);
        using var run = new ParallelRun(options, factory);
        var writer = new CollectingWriter();
        var refusal = new ErrorRecord(new ArgumentException("duplicate key"), "DuplicateKey", ErrorCategory.InvalidArgument, "c");

        Bounded.Run(() =>
        {
            run.Add("a", null, writer);
            run.AddFinished("b", "key-b", r => r.Output = new ArrayList { "from log" }, writer);
            run.AddRefused("c", refusal, writer);
            run.Add("d", null, writer);
            run.InputEnded(writer);
        }, "the run");

        Assert.Equal(new long[] { 0, 1, 2, 3 }, writer.Indices);
        Assert.Equal("ran a", writer.At(0).Output![0]);
        Assert.True(writer.At(1).FromLog);
        Assert.Equal("from log", writer.At(1).Output![0]);
        Assert.Equal("key-b", writer.At(1).Item.Key);
        Assert.Equal(ItemStatus.Skipped, writer.At(2).Status);
        Assert.Same(refusal, writer.At(2).Failure);
        Assert.Equal("ran d", writer.At(3).Output![0]);
        Assert.Equal(2, factory.Started);
    }

    [Fact]
    public void TheLogGetsEachFinishedItemOnceAfterItsRetries()
    {
        var options = new RunOptions { ThrottleLimit = 2, RetryCount = 1, RetryDelay = TimeSpan.Zero };
        var factory = new FakeRunnerFactory((item, _, _) => item.Index == 2 && item.Attempts == 1 ? throw new IOException("once") : item.Input);
        var log = new CollectingLog();
        using var run = new ParallelRun(options, factory) { Log = log };

        RunAll(run, Enumerable.Range(0, 5).Cast<object?>());

        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, log.Results.Select(r => r.Index).OrderBy(i => i));
        Assert.Equal(2, log.Results.Single(r => r.Index == 2).Attempts);
        Assert.All(log.Results, r => Assert.Equal(ItemStatus.Completed, r.Status));
    }

    [Fact]
    public void ALogThatFailsEndsTheRunWithItsError()
    {
        var options = new RunOptions { ThrottleLimit = 2 };
        var factory = new FakeRunnerFactory((item, _, _) => item.Input);
        var log = new CollectingLog { Fails = new IOException("disk full") };
        using var run = new ParallelRun(options, factory) { Log = log };
        var writer = new CollectingWriter();

        RunOutcome outcome = Bounded.Run(() =>
        {
            run.Add(1, null, writer);
            return run.InputEnded(writer);
        }, "the run");

        Assert.Equal(RunEnd.LogFailed, outcome.End);
        Assert.Same(log.Fails, outcome.Exception);
    }

    [Fact]
    public void AWorkerThatCannotStartEndsTheRunWithItsError()
    {
        var factory = new FakeRunnerFactory((item, _, _) => item.Input) { CreateFails = new InvalidOperationException("no runspace") };
        using var run = new ParallelRun(new RunOptions { ThrottleLimit = 2 }, factory);
        var writer = new CollectingWriter();

        RunOutcome outcome = Bounded.Run(() =>
        {
            try
            {
                run.Add(1, null, writer);
                run.Add(2, null, writer);
                return run.InputEnded(writer);
            }
            catch (RunEndedException ended)
            {
                return ended.Outcome;
            }
        }, "the run");

        Assert.Equal(RunEnd.SetupFailed, outcome.End);
        Assert.Same(factory.CreateFails, outcome.Exception);
    }

    [Fact]
    public void SequentialRunsOnThePipelineThreadInOrder()
    {
        var options = new RunOptions { ThrottleLimit = 4, Sequential = true, RetryCount = 1, RetryDelay = TimeSpan.FromMilliseconds(10) };
        var threads = new ConcurrentBag<int>();
        var factory = new FakeRunnerFactory((item, _, _) =>
        {
            threads.Add(Environment.CurrentManagedThreadId);
            return item.Index == 1 && item.Attempts == 1 ? throw new IOException("once") : item.Input;
        });
        using var run = new ParallelRun(options, factory);

        CollectingWriter writer = RunAll(run, Enumerable.Range(0, 5).Cast<object?>());

        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, writer.Indices);
        Assert.All(writer.Results, r => Assert.Equal(ItemStatus.Completed, r.Status));
        Assert.Equal(2, writer.At(1).Attempts);
        Assert.Equal(1, factory.Created);
        Assert.Equal(writer.WriterThread, Assert.Single(threads.Distinct()));
    }

    private static CollectingWriter RunAll(RunOptions options, IRunnerFactory factory, IEnumerable<object?> inputs)
    {
        using var run = new ParallelRun(options, factory);
        return RunAll(run, inputs);
    }

    /// <summary>Feeds the inputs and completes the run on one thread, as a cmdlet's pipeline thread does.</summary>
    private static CollectingWriter RunAll(ParallelRun run, IEnumerable<object?> inputs)
    {
        var writer = new CollectingWriter();
        Bounded.Run(() =>
        {
            try
            {
                foreach (object? input in inputs)
                {
                    run.Add(input, null, writer);
                }

                writer.Outcome = run.InputEnded(writer);
            }
            catch (RunEndedException ended)
            {
                // The run ended before its input did: reading stops, as the cmdlet's does.
                writer.Outcome = ended.Outcome;
            }
        }, "the run");
        return writer;
    }

    private sealed class DelegateOperation : IItemOperation
    {
        private readonly Func<WorkItem, ItemContext, CancellationToken, IList?> _body;

        public DelegateOperation(Func<WorkItem, ItemContext, CancellationToken, IList?> body)
        {
            _body = body;
        }

        public IList? Execute(WorkItem item, ItemContext context, CancellationToken token) => _body(item, context, token);
    }

    private sealed class CollectingLog : IResultLog
    {
        private readonly ConcurrentQueue<ItemResult> _results = new();

        public Exception? Fails { get; set; }

        public ItemResult[] Results => _results.ToArray();

        public void Append(ItemResult result)
        {
            if (Fails is not null)
            {
                throw Fails;
            }

            _results.Enqueue(result);
        }
    }
}
