using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using ParallelJobs.Scripting;
using Xunit;

namespace ParallelJobs.Tests;

public class ScriptBlockValuesTests
{
    private static readonly ScriptBlock Block = ScriptBlock.Create("1");

    [Fact]
    public void FindsAScriptBlockItselfAndWrapped()
    {
        Assert.Equal(string.Empty, ScriptBlockValues.Find(Block));
        Assert.Equal(string.Empty, ScriptBlockValues.Find(new PSObject(Block)));
    }

    [Fact]
    public void SaysWhereInAContainerItSits()
    {
        var value = new object[] { 1, new Hashtable { ["k"] = new List<object> { "a", Block } } };

        Assert.Equal("[1]['k'][1]", ScriptBlockValues.Find(value));
    }

    [Fact]
    public void FindsNothingInPlainData()
    {
        Assert.Null(ScriptBlockValues.Find(null));
        Assert.Null(ScriptBlockValues.Find("text"));
        Assert.Null(ScriptBlockValues.Find(new[] { 1, 2, 3 }));
        Assert.Null(ScriptBlockValues.Find(new Hashtable { ["a"] = 1 }));
        Assert.Null(ScriptBlockValues.Find(new Dictionary<string, int> { ["a"] = 1 }));
    }

    [Fact]
    public void StopsLookingFourLevelsDown()
    {
        object fourDeep = new object[] { new object[] { new object[] { new object[] { Block } } } };

        Assert.NotNull(ScriptBlockValues.Find(fourDeep));
        Assert.Null(ScriptBlockValues.Find(new object[] { fourDeep }));
    }

    [Fact]
    public void TheInputTestLetsNumbersAndStringsPass()
    {
        Assert.False(ScriptBlockValues.MayHold(1));
        Assert.False(ScriptBlockValues.MayHold("s"));
        Assert.False(ScriptBlockValues.MayHold(null));
        Assert.True(ScriptBlockValues.MayHold(Block));
        Assert.True(ScriptBlockValues.MayHold(new Hashtable()));
        Assert.True(ScriptBlockValues.MayHold(new object[0]));
    }
}
