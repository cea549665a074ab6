using System;
using ParallelJobs.Engine;
using Xunit;

namespace ParallelJobs.Tests;

public class FailureLimitTests
{
    [Theory]
    [InlineData("3", 3, null)]
    [InlineData(" 12 ", 12, null)]
    [InlineData("10%", null, 10.0)]
    [InlineData("2.5 %", null, 2.5)]
    [InlineData("100%", null, 100.0)]
    public void ReadsACountOrAPercentage(string text, int? count, double? percent)
    {
        var options = new RunOptions();

        FailureLimit.Apply(text, options);

        Assert.Equal(count, options.MaxFailures);
        Assert.Equal(percent, options.MaxFailurePercent);
    }

    [Fact]
    public void NoTextSetsNoLimit()
    {
        var options = new RunOptions();

        FailureLimit.Apply(null, options);

        Assert.Null(options.MaxFailures);
        Assert.Null(options.MaxFailurePercent);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0%")]
    [InlineData("150%")]
    public void RefusesValuesOutOfRange(string text)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FailureLimit.Apply(text, new RunOptions()));
    }
}
