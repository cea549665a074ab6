using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ParallelJobs.Engine;
using Xunit;

namespace ParallelJobs.Tests;

public class WorkQueueTests
{
    private int _wakes;

    [Fact]
    public void TryAddRangeQueuesOnlyWhileThereIsRoom()
    {
        WorkQueue dispatcher = Create(capacity: 2);
        var items = new List<WorkItem> { dispatcher.Number("a", null), dispatcher.Number("b", null), dispatcher.Number("c", null) };
        var refused = new List<WorkItem>();

        dispatcher.TryAddRange(items, refused);

        Assert.Equal(new long[] { 2 }, items.Select(i => i.Index));
        Assert.Empty(refused);
        Assert.Equal(3, dispatcher.Added);
        dispatcher.InputEnded();
        Assert.Equal(new long[] { 0, 1 }, Take(dispatcher, 10));
    }

    [Fact]
    public void TakingFromAFullQueueMakesRoomAndWakesTheReader()
    {
        WorkQueue dispatcher = Create(capacity: 2);
        AddItems(dispatcher, 2);
        int wakesBefore = _wakes;

        var batch = new List<WorkItem>();
        Assert.True(dispatcher.TakeBatch(batch, 1, CancellationToken.None));

        Assert.True(_wakes > wakesBefore, "The reader waiting for room was not woken.");
        WorkItem c = Queue(dispatcher, "c");
        Assert.Equal(2, c.Index);
    }

    [Fact]
    public void OrderedWindowBlocksTakeBatchUntilSetEmitHead()
    {
        WorkQueue dispatcher = Create(window: 2, workers: 2);
        AddItems(dispatcher, 5);

        Assert.Equal(new long[] { 0 }, Take(dispatcher, 1));
        Assert.Equal(new long[] { 1 }, Take(dispatcher, 1));

        // Index 2 is beyond emitHead (0) + window (2): the worker has to wait for the writer.
        Task<long[]> blocked = Bounded.Start(() => Take(dispatcher, 1));
        Assert.True(Bounded.StillBlocked(blocked), "A worker started an item outside the ordered window.");

        dispatcher.SetEmitHead(1);
        Assert.Equal(new long[] { 2 }, Bounded.Finish(blocked, "SetEmitHead waking the waiting worker"));
    }

    [Fact]
    public void OrderedWindowCapsABatch()
    {
        WorkQueue dispatcher = Create(window: 3);
        AddItems(dispatcher, 10);

        Assert.Equal(new long[] { 0, 1, 2 }, Take(dispatcher, 100));

        dispatcher.SetEmitHead(2);
        Assert.Equal(new long[] { 3, 4 }, Take(dispatcher, 100));
    }

    [Fact]
    public void UnorderedRunsHaveNoWindow()
    {
        WorkQueue dispatcher = Create(window: 0);
        AddItems(dispatcher, 10);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), Take(dispatcher, 100));
    }

    [Fact]
    public void TakeBatchNeverExceedsMax()
    {
        WorkQueue dispatcher = Create();
        AddItems(dispatcher, 10);

        Assert.Equal(new long[] { 0, 1, 2, 3 }, Take(dispatcher, 4));
    }

    [Fact]
    public void CompleteMakesTakeBatchReturnFalseOnceDrained()
    {
        WorkQueue dispatcher = Create();
        AddItems(dispatcher, 1);
        dispatcher.InputEnded();

        Assert.Equal(new long[] { 0 }, Take(dispatcher, 4));
        Assert.False(dispatcher.IsDrained);

        // Item 0 still runs and may be retried: a second worker waits rather than leaving.
        var batch = new List<WorkItem>();
        Task<bool> waiting = Bounded.Start(() => dispatcher.TakeBatch(batch, 4, CancellationToken.None));
        Assert.True(Bounded.StillBlocked(waiting), "A worker left while an item was still running.");

        dispatcher.MarkDone(1);
        Assert.False(Bounded.Finish(waiting, "MarkDone of the last item releasing the waiting worker"));
        Assert.Empty(batch);
        Assert.True(dispatcher.IsDrained);
    }

    [Fact]
    public void TakeBatchOnACompletedEmptyDispatcherReturnsFalseAtOnce()
    {
        WorkQueue dispatcher = Create();
        dispatcher.InputEnded();

        bool took = Bounded.Run(() => dispatcher.TakeBatch(new List<WorkItem>(), 1, CancellationToken.None), "TakeBatch");

        Assert.False(took);
        Assert.True(dispatcher.IsDrained);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void HaltAndCancelWakeEveryWaitingWorker(bool halt)
    {
        WorkQueue dispatcher = Create(workers: 3);
        Task<bool>[] workers = Enumerable.Range(0, 3)
            .Select(_ => Bounded.Start(() => dispatcher.TakeBatch(new List<WorkItem>(), 1, CancellationToken.None)))
            .ToArray();
        Assert.True(Bounded.StillBlocked(workers), "A worker left an open, empty dispatcher.");
        int wakesBefore = _wakes;

        if (halt)
        {
            dispatcher.Halt();
        }
        else
        {
            dispatcher.Cancel();
        }

        Assert.All(workers, w => Assert.False(Bounded.Finish(w, "waking every waiting worker")));
        Assert.True(dispatcher.IsHalted);
        Assert.True(_wakes > wakesBefore, "The reader was not woken.");
    }

    [Fact]
    public void AfterHaltItemsAreNumberedButNotQueued()
    {
        WorkQueue dispatcher = Create();
        AddItems(dispatcher, 2);
        dispatcher.Halt();

        var items = new List<WorkItem> { dispatcher.Number("late", null) };
        var refused = new List<WorkItem>();
        dispatcher.TryAddRange(items, refused);

        Assert.Empty(items);
        Assert.Equal(new long[] { 2 }, refused.Select(i => i.Index));
        Assert.False(dispatcher.TakeBatch(new List<WorkItem>(), 10, CancellationToken.None));
        Assert.Equal(new long[] { 0, 1 }, dispatcher.TakeRemaining().Select(i => i.Index));
        Assert.True(dispatcher.IsDrained);
    }

    [Fact]
    public void RequeueWithADelayIsHandedOutOnlyAfterTheDelay()
    {
        WorkQueue dispatcher = Create();
        AddItems(dispatcher, 1);
        var first = new List<WorkItem>();
        Assert.True(dispatcher.TakeBatch(first, 1, CancellationToken.None));

        DateTime notBefore = DateTime.UtcNow + TimeSpan.FromMilliseconds(300);
        dispatcher.Requeue(first[0], notBefore);
        dispatcher.MarkDone(1);
        dispatcher.InputEnded();

        (long[] Indices, DateTime At) taken = Bounded.Run(() => (Take(dispatcher, 1), DateTime.UtcNow), "TakeBatch of a delayed retry");

        Assert.Equal(new long[] { 0 }, taken.Indices);
        Assert.True(taken.At >= notBefore, $"The retry was handed out {(notBefore - taken.At).TotalMilliseconds} ms early.");
        Assert.Equal(notBefore, first[0].NotBefore);
    }

    [Fact]
    public void ADueRetryGoesBeforeNewInput()
    {
        WorkQueue dispatcher = Create();
        AddItems(dispatcher, 3);
        var first = new List<WorkItem>();
        dispatcher.TakeBatch(first, 1, CancellationToken.None);

        dispatcher.Requeue(first[0], DateTime.UtcNow.AddSeconds(-1));
        dispatcher.MarkDone(1);

        Assert.Equal(new long[] { 0 }, Take(dispatcher, 1));
        Assert.Equal(new long[] { 1 }, Take(dispatcher, 1));
    }

    [Fact]
    public void RequeueWakesAWaitingWorker()
    {
        WorkQueue dispatcher = Create();
        AddItems(dispatcher, 1);
        var first = new List<WorkItem>();
        dispatcher.TakeBatch(first, 1, CancellationToken.None);

        Task<long[]> waiting = Bounded.Start(() => Take(dispatcher, 1));
        Assert.True(Bounded.StillBlocked(waiting), "A worker took an item from an empty queue.");

        dispatcher.Requeue(first[0], DateTime.UtcNow);
        Assert.Equal(new long[] { 0 }, Bounded.Finish(waiting, "Requeue waking the waiting worker"));
    }

    [Fact]
    public void AddRefillIgnoresCapacity()
    {
        WorkQueue dispatcher = Create(capacity: 1);
        Queue(dispatcher, "input");

        WorkItem refill1 = dispatcher.Refill("refill 1", "task");
        WorkItem refill2 = dispatcher.Refill("refill 2", null);

        Assert.Equal(1, refill1.Index);
        Assert.Equal("task", refill1.Task);
        Assert.Equal(2, refill2.Index);
        dispatcher.InputEnded();
        Assert.Equal(new long[] { 0, 1, 2 }, Take(dispatcher, 10));
    }

    [Fact]
    public void AddRefillWakesAWaitingWorker()
    {
        WorkQueue dispatcher = Create();
        Task<long[]> waiting = Bounded.Start(() => Take(dispatcher, 1));
        Assert.True(Bounded.StillBlocked(waiting), "A worker took an item from an empty queue.");

        dispatcher.Refill("more", null);

        Assert.Equal(new long[] { 0 }, Bounded.Finish(waiting, "a refill waking the waiting worker"));
    }

    [Fact]
    public void TryAddRangeWakesAWaitingWorker()
    {
        WorkQueue dispatcher = Create();
        Task<long[]> waiting = Bounded.Start(() => Take(dispatcher, 1));
        Assert.True(Bounded.StillBlocked(waiting), "A worker took an item from an empty queue.");

        Queue(dispatcher, "input");

        Assert.Equal(new long[] { 0 }, Bounded.Finish(waiting, "new input waking the waiting worker"));
    }

    [Fact]
    public void EveryItemIsTakenExactlyOnceWhileInputAndWorkersRace()
    {
        // The reader queues without the lock while workers take under it: no item may be lost or doubled.
        const int Count = 200_000;
        WorkQueue dispatcher = Create(capacity: 64, workers: 3);
        var taken = new int[Count];
        Task[] workers = Enumerable.Range(0, 3).Select(_ => Task.Factory.StartNew(() =>
        {
            var batch = new List<WorkItem>();
            int max = 1;
            while (dispatcher.TakeBatch(batch, max, CancellationToken.None))
            {
                foreach (WorkItem item in batch)
                {
                    Interlocked.Increment(ref taken[item.Index]);
                }

                dispatcher.MarkDone(batch.Count);
                batch.Clear();
                max = max % 7 + 1;
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        var pending = new List<WorkItem>();
        var refused = new List<WorkItem>();
        try
        {
            Feed(dispatcher, Count, pending, refused);
            dispatcher.InputEnded();
            Assert.True(Task.WaitAll(workers, Bounded.Hang), "The workers did not finish: a wake-up was lost.");
        }
        finally
        {
            // Lets blocked workers go, so that a failure here fails the test rather than hang the run.
            dispatcher.Cancel();
        }

        Assert.Empty(refused);
        Assert.Equal(Count, taken.Count(n => n == 1));
        Assert.True(dispatcher.IsDrained);
    }

    private static void Feed(WorkQueue dispatcher, int count, List<WorkItem> pending, List<WorkItem> refused)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            pending.Add(dispatcher.Number(i, null));
            dispatcher.TryAddRange(pending, refused);
            while (pending.Count > (i == count - 1 ? 0 : 32))
            {
                // Full: wait for the workers, as the reader does.
                Assert.True(watch.Elapsed < Bounded.Hang, "The queue never made room: the workers stopped taking.");
                Thread.Yield();
                dispatcher.TryAddRange(pending, refused);
            }
        }
    }

    [Fact]
    public void ReserveNumbersWithoutQueueing()
    {
        WorkQueue dispatcher = Create();
        WorkItem reserved = dispatcher.Reserve("from log");
        WorkItem queued = Queue(dispatcher, "runs");
        dispatcher.InputEnded();

        Assert.Equal(0, reserved.Index);
        Assert.Equal("from log", reserved.Input);
        Assert.Equal(1, queued.Index);
        Assert.Equal(2, dispatcher.Added);
        Assert.Equal(new long[] { 1 }, Take(dispatcher, 10));
        dispatcher.MarkDone(1);
        Assert.False(dispatcher.TakeBatch(new List<WorkItem>(), 10, CancellationToken.None));
    }

    [Fact]
    public void TakeRemainingReturnsRetriesAndQueuedItems()
    {
        WorkQueue dispatcher = Create();
        AddItems(dispatcher, 4);
        var first = new List<WorkItem>();
        dispatcher.TakeBatch(first, 1, CancellationToken.None);
        dispatcher.Requeue(first[0], DateTime.UtcNow.AddHours(1));
        dispatcher.MarkDone(1);
        dispatcher.Halt();

        List<WorkItem> left = dispatcher.TakeRemaining();

        Assert.Equal(new long[] { 0, 1, 2, 3 }, left.Select(i => i.Index).OrderBy(i => i));
        Assert.Empty(dispatcher.TakeRemaining());
    }

    [Fact]
    public void WhenInputIsCompleteBatchesAreSplitAcrossWorkers()
    {
        WorkQueue dispatcher = Create(workers: 2);
        AddItems(dispatcher, 10);
        dispatcher.InputEnded();

        long[] first = Take(dispatcher, 100);
        long[] second = Take(dispatcher, 100);

        // Ten items for two workers: neither takes everything, so the other is not left idle.
        Assert.Equal(5, first.Length);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, first);
        Assert.InRange(second.Length, 1, 4);
        Assert.Equal(5, second[0]);
    }

    [Fact]
    public void WhileInputFlowsABatchTakesWhatIsThere()
    {
        WorkQueue dispatcher = Create(workers: 2);
        AddItems(dispatcher, 10);

        Assert.Equal(10, Take(dispatcher, 100).Length);
    }

    [Fact]
    public void TryTakeNowDoesNotWaitAndReportsWhenARetryIsDue()
    {
        WorkQueue dispatcher = Create();
        var batch = new List<WorkItem>();
        Assert.False(dispatcher.TryTakeNow(batch, 1, out int due));
        Assert.Equal(Timeout.Infinite, due);

        AddItems(dispatcher, 2);
        Assert.True(dispatcher.TryTakeNow(batch, 1, out _));
        WorkItem first = Assert.Single(batch);
        dispatcher.Requeue(first, DateTime.UtcNow.AddSeconds(10));
        dispatcher.MarkDone(1);
        batch.Clear();

        Assert.True(dispatcher.TryTakeNow(batch, 1, out _));
        Assert.Equal(1, Assert.Single(batch).Index);
        dispatcher.MarkDone(1);
        batch.Clear();

        Assert.False(dispatcher.TryTakeNow(batch, 1, out due));
        Assert.InRange(due, 1, 10_001);
    }

    [Fact]
    public void MarkDoneWakesTheReader()
    {
        WorkQueue dispatcher = Create();
        AddItems(dispatcher, 1);
        Take(dispatcher, 1);
        int wakesBefore = _wakes;

        dispatcher.MarkDone(1);

        Assert.True(_wakes > wakesBefore);
    }

    private WorkQueue Create(int capacity = 100, long window = 0, int workers = 1) =>
        new(capacity, window, workers, () => Interlocked.Increment(ref _wakes));

    private static void AddItems(WorkQueue dispatcher, int count)
    {
        for (int i = 0; i < count; i++)
        {
            Queue(dispatcher, i);
        }
    }

    /// <summary>Numbers one item and queues it, as the run does; fails if there was no room.</summary>
    private static WorkItem Queue(WorkQueue dispatcher, object input)
    {
        WorkItem item = dispatcher.Number(input, null);
        var items = new List<WorkItem> { item };
        var refused = new List<WorkItem>();
        dispatcher.TryAddRange(items, refused);
        Assert.Empty(items);
        Assert.Empty(refused);
        return item;
    }

    private static long[] Take(WorkQueue dispatcher, int max)
    {
        var batch = new List<WorkItem>();
        bool took = Bounded.Run(() => dispatcher.TakeBatch(batch, max, CancellationToken.None), "TakeBatch");
        Assert.True(took, "TakeBatch returned false.");
        return batch.Select(i => i.Index).ToArray();
    }
}
