using System;
using System.Management.Automation;
using System.Numerics;
using ParallelJobs.Json;
using Xunit;

namespace ParallelJobs.Tests;

/// <summary>Response bodies go through PowerShell's own converter, so they get ConvertFrom-Json's values.</summary>
public class PowerShellJsonTests
{
    [Fact]
    public void FindsPowerShellsConverter() => Assert.True(PowerShellJson.IsAvailable);

    [Fact]
    public void GivesDatesBigIntegersAndNaNAsConvertFromJsonDoes()
    {
        var value = Assert.IsType<PSObject>(PowerShellJson.Parse("{\"d\":\"2024-01-02T03:04:05Z\",\"n\":123456789012345678901234567890,\"x\":[NaN],\"l\":9223372036854775807}"));
        var date = Assert.IsType<DateTime>(value.Properties["d"].Value);
        Assert.Equal(DateTimeKind.Utc, date.Kind);
        Assert.Equal(BigInteger.Parse("123456789012345678901234567890"), Assert.IsType<BigInteger>(value.Properties["n"].Value));
        Assert.True(double.IsNaN((double)((object?[])value.Properties["x"].Value)[0]!));
        Assert.Equal(long.MaxValue, value.Properties["l"].Value);
    }

    [Fact]
    public void AcceptsCommentsAndTrailingCommas()
    {
        var value = Assert.IsType<PSObject>(PowerShellJson.Parse("/* c */ {\"a\": [1, 2, ], // line\n}"));
        Assert.Equal(new object?[] { 1L, 2L }, (object?[])value.Properties["a"].Value);
    }

    [Theory]
    [InlineData("{\"a\":1,\"A\":2}", "casing")]
    [InlineData("{\"\":1}", "empty")]
    [InlineData("{\"a\": [1,", "")]
    public void RefusesWhatConvertFromJsonRefuses(string json, string reason)
    {
        var ex = Assert.Throws<FormatException>(() => PowerShellJson.Parse(json));
        Assert.Contains(reason, ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(" null ")]
    [InlineData("/* only a comment */")] // Invoke-RestMethod's own check (JToken.Parse) takes this as null too
    public void TheNullLiteralIsNull(string json) => Assert.Null(PowerShellJson.Parse(json));
}
