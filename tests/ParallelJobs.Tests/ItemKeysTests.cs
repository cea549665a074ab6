using System;
using ParallelJobs.Engine;
using Xunit;

namespace ParallelJobs.Tests;

public class ItemKeysTests
{
    [Fact]
    public void WithoutKeyItemsAreKeyedByIndex()
    {
        var keys = new ItemKeys(null, null, force: false);

        KeyDecision first = keys.Decide("a", 0);
        KeyDecision second = keys.Decide("a", 1);

        Assert.True(first.Runs);
        Assert.Equal("0", first.Key);
        Assert.True(second.Runs);
        Assert.Equal("1", second.Key);
    }

    [Fact]
    public void ARepeatedKeyIsRefusedInItsPlace()
    {
        var keys = new ItemKeys(input => ((string)input!).ToUpperInvariant(), null, force: false);

        Assert.True(keys.Decide("a", 0).Runs);
        KeyDecision repeat = keys.Decide("A", 1);

        Assert.False(repeat.Runs);
        Assert.Equal("A", repeat.Key);
        Assert.Equal("DuplicateKey", repeat.Refusal!.FullyQualifiedErrorId);
        Assert.Equal("A", repeat.Refusal.TargetObject);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AKeyThatFailsOrIsEmptyRefusesTheItem(bool throws)
    {
        var keys = new ItemKeys(_ => throws ? throw new InvalidOperationException("no key here") : string.Empty, null, force: false);

        KeyDecision decision = keys.Decide(7, 0);

        Assert.False(decision.Runs);
        Assert.Null(decision.Key);
        Assert.Equal("KeyFailed", decision.Refusal!.FullyQualifiedErrorId);
        Assert.Contains(throws ? "no key here" : "returned nothing", decision.Refusal.Exception.Message);
    }
}
