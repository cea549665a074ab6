using System;
using ParallelJobs.Engine;
using Xunit;

namespace ParallelJobs.Tests;

public class BatchSizerTests
{
    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Middling = TimeSpan.FromMilliseconds(50);

    [Fact]
    public void StartsAtOne()
    {
        Assert.Equal(1, new BatchSizer().Size);
    }

    [Fact]
    public void DoublesWhileFullBatchesAreFast()
    {
        var sizer = new BatchSizer();
        var seen = new int[5];
        for (int i = 0; i < seen.Length; i++)
        {
            sizer.Record(sizer.Size, Fast);
            seen[i] = sizer.Size;
        }

        Assert.Equal(new[] { 2, 4, 8, 16, 32 }, seen);
    }

    [Fact]
    public void DoesNotGrowOnAFastButShortBatch()
    {
        var sizer = new BatchSizer();
        sizer.Record(1, Fast);
        sizer.Record(1, Fast);
        Assert.Equal(2, sizer.Size);

        // Only one item was there to take: speed says nothing about a bigger batch.
        sizer.Record(1, Fast);
        Assert.Equal(2, sizer.Size);
    }

    [Fact]
    public void HalvesWhenSlowButNeverBelowOne()
    {
        var sizer = new BatchSizer();
        for (int i = 0; i < 4; i++)
        {
            sizer.Record(sizer.Size, Fast);
        }

        Assert.Equal(16, sizer.Size);
        sizer.Record(16, Slow);
        Assert.Equal(8, sizer.Size);
        sizer.Record(8, Slow);
        Assert.Equal(4, sizer.Size);
        for (int i = 0; i < 5; i++)
        {
            sizer.Record(sizer.Size, Slow);
        }

        Assert.Equal(1, sizer.Size);
    }

    [Fact]
    public void KeepsItsSizeBetweenTheThresholds()
    {
        var sizer = new BatchSizer();
        sizer.Record(1, Fast);
        sizer.Record(2, Fast);
        sizer.Record(4, Middling);

        Assert.Equal(4, sizer.Size);
    }

    [Fact]
    public void IgnoresEmptyBatches()
    {
        var sizer = new BatchSizer();
        sizer.Record(0, Fast);
        Assert.Equal(1, sizer.Size);
        sizer.Record(1, Fast);
        sizer.Record(0, Slow);
        Assert.Equal(2, sizer.Size);
    }

    [Fact]
    public void NeverExceedsMaxSize()
    {
        var sizer = new BatchSizer();
        for (int i = 0; i < 40; i++)
        {
            sizer.Record(sizer.Size, Fast);
            Assert.True(sizer.Size <= BatchSizer.MaxSize, $"Size {sizer.Size} is above {BatchSizer.MaxSize}.");
        }

        Assert.Equal(BatchSizer.MaxSize, sizer.Size);
    }

    [Fact]
    public void FixedSizeStaysFixed()
    {
        var sizer = new BatchSizer(fixedSize: 7);
        Assert.Equal(7, sizer.Size);
        sizer.Record(7, Fast);
        sizer.Record(7, Fast);
        Assert.Equal(7, sizer.Size);
        sizer.Record(7, Slow);
        Assert.Equal(7, sizer.Size);
    }

    [Fact]
    public void ARoundTripWorkerGrowsBelowItsLongerTimeAndShrinksInProportion()
    {
        var sizer = new BatchSizer(growBelow: TimeSpan.FromMilliseconds(200));
        sizer.Record(1, TimeSpan.FromMilliseconds(30));
        sizer.Record(2, TimeSpan.FromMilliseconds(150));
        Assert.Equal(4, sizer.Size);
        sizer.Record(4, TimeSpan.FromMilliseconds(500));
        Assert.Equal(4, sizer.Size);
        sizer.Record(4, TimeSpan.FromMilliseconds(1100));
        Assert.Equal(2, sizer.Size);
    }
}
