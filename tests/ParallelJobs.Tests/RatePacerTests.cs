using System;
using System.Threading;
using ParallelJobs.Engine;
using Xunit;

namespace ParallelJobs.Tests;

public class RatePacerTests
{
    [Fact]
    public void SpacesStartsOfOneKeyEvenly()
    {
        var pacer = new RatePacer(10);
        TimeSpan first = pacer.Reserve("a");
        TimeSpan second = pacer.Reserve("a");
        TimeSpan third = pacer.Reserve("a");
        Assert.Equal(TimeSpan.Zero, first);
        Assert.InRange(second.TotalMilliseconds, 90, 100);
        Assert.InRange(third.TotalMilliseconds, 190, 200);
    }

    [Fact]
    public void KeysHaveTheirOwnSchedule()
    {
        var pacer = new RatePacer(1);
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("a"));
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("B"));
        Assert.True(pacer.Reserve("b") > TimeSpan.FromMilliseconds(900), "keys compare without case, as host names do");
    }

    [Fact]
    public void NoRatePacesNothingButAPauseHoldsEveryLaterStart()
    {
        var pacer = new RatePacer(0);
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("h"));
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("h"));
        pacer.Pause("h", TimeSpan.FromSeconds(2));
        Assert.InRange(pacer.Reserve("h").TotalSeconds, 1.9, 2.0);
        Assert.InRange(pacer.Reserve("h").TotalSeconds, 1.9, 2.0);
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("other"));
    }

    [Fact]
    public void ALongerIntervalForAKeyWins()
    {
        var pacer = new RatePacer(100);
        pacer.Reserve("h", TimeSpan.FromSeconds(1));
        Assert.InRange(pacer.Reserve("h").TotalSeconds, 0.9, 1.0);
    }

    [Fact]
    public void WaitGivesUpWhenCancelled()
    {
        var pacer = new RatePacer(0.1);
        using var cts = new CancellationTokenSource();
        Assert.True(pacer.Wait("h", cts.Token));
        cts.CancelAfter(50);
        Assert.False(pacer.Wait("h", cts.Token));
    }
}
