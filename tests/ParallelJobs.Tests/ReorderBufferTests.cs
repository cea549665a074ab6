using System;
using System.Collections.Generic;
using System.Linq;
using ParallelJobs.Engine;
using Xunit;

namespace ParallelJobs.Tests;

public class ReorderBufferTests
{
    [Fact]
    public void OutOfOrderAddsComeOutInOrder()
    {
        var buffer = new ReorderBuffer<string>(8);
        foreach (int i in new[] { 3, 1, 4, 0, 2 })
        {
            buffer.Add(i, "v" + i);
        }

        Assert.Equal(new[] { "v0", "v1", "v2", "v3", "v4" }, TakeAll(buffer));
        Assert.Equal(5, buffer.Next);
        Assert.Equal(0, buffer.Count);
    }

    [Fact]
    public void TryTakeStopsAtAGap()
    {
        var buffer = new ReorderBuffer<string>(8);
        buffer.Add(0, "a");
        buffer.Add(2, "c");
        buffer.Add(3, "d");

        Assert.Equal(new[] { "a" }, TakeAll(buffer));
        Assert.Equal(1, buffer.Next);
        Assert.Equal(2, buffer.Count);

        buffer.Add(1, "b");
        Assert.Equal(new[] { "b", "c", "d" }, TakeAll(buffer));
    }

    [Fact]
    public void NothingComesOutUntilTheFirstIndexArrives()
    {
        var buffer = new ReorderBuffer<string>(4);
        buffer.Add(1, "b");

        Assert.False(buffer.TryTake(out _));
        Assert.Equal(0, buffer.Next);
    }

    [Fact]
    public void DuplicateIndexThrows()
    {
        var buffer = new ReorderBuffer<string>(8);
        buffer.Add(2, "first");

        Assert.Throws<InvalidOperationException>(() => buffer.Add(2, "second"));
    }

    [Fact]
    public void AlreadyReleasedIndexThrows()
    {
        var buffer = new ReorderBuffer<string>(8);
        buffer.Add(0, "a");
        Assert.True(buffer.TryTake(out _));

        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Add(0, "again"));
    }

    [Fact]
    public void GrowthBeyondCapacityKeepsOrder()
    {
        var buffer = new ReorderBuffer<string>(4);
        var random = new Random(1234);
        long[] indices = Enumerable.Range(0, 100).Select(i => (long)i).OrderBy(_ => random.Next()).ToArray();
        foreach (long i in indices)
        {
            buffer.Add(i, "v" + i);
        }

        Assert.Equal(100, buffer.Count);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => "v" + i), TakeAll(buffer));
    }

    [Fact]
    public void GrowthAfterTheRingHasWrappedKeepsOrder()
    {
        // Next is not 0 and not a multiple of the old size, so the copy has to re-slot wrapped entries.
        var buffer = new ReorderBuffer<string>(4);
        for (int i = 0; i < 3; i++)
        {
            buffer.Add(i, "v" + i);
        }

        Assert.Equal(3, TakeAll(buffer).Count);
        buffer.Add(5, "v5");
        buffer.Add(4, "v4");
        buffer.Add(20, "v20");
        for (int i = 19; i >= 6; i--)
        {
            buffer.Add(i, "v" + i);
        }

        buffer.Add(3, "v3");
        Assert.Equal(Enumerable.Range(3, 18).Select(i => "v" + i), TakeAll(buffer));
    }

    [Fact]
    public void InterleavedAddsAndTakesAcrossManyWrapsKeepOrder()
    {
        var buffer = new ReorderBuffer<string>(2);
        var taken = new List<string>();
        for (int i = 0; i < 1000; i += 2)
        {
            buffer.Add(i + 1, "v" + (i + 1));
            buffer.Add(i, "v" + i);
            taken.AddRange(TakeAll(buffer));
        }

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => "v" + i), taken);
    }

    [Fact]
    public void TryTakeAnyPassesOverIndicesThatNeverCame()
    {
        var buffer = new ReorderBuffer<string>(4);
        buffer.Add(1, "one");
        buffer.Add(3, "three");

        Assert.False(buffer.TryTake(out _));
        Assert.True(buffer.TryTakeAny(out string first));
        Assert.True(buffer.TryTakeAny(out string second));
        Assert.False(buffer.TryTakeAny(out _));

        Assert.Equal("one", first);
        Assert.Equal("three", second);
        Assert.Equal(0, buffer.Count);
    }

    private static List<string> TakeAll(ReorderBuffer<string> buffer)
    {
        var taken = new List<string>();
        while (buffer.TryTake(out string value))
        {
            taken.Add(value);
        }

        return taken;
    }
}
