using System;
using System.Management.Automation;
using ParallelJobs.Json;
using Xunit;

namespace ParallelJobs.Tests;

public class JsonParserTests
{
    [Fact]
    public void ParsesObjectsIntoPSCustomObjects()
    {
        var value = Assert.IsType<PSObject>(JsonParser.Parse("{\"a\":1,\"b\":\"x\",\"c\":[true,false,null],\"d\":{\"e\":-2.5e1}}"));
        Assert.IsType<PSCustomObject>(value.BaseObject);
        Assert.Equal(1L, value.Properties["a"].Value);
        Assert.Equal("x", value.Properties["b"].Value);
        Assert.Equal(new object?[] { true, false, null }, (object?[])value.Properties["c"].Value);
        Assert.Equal(-25.0, ((PSObject)value.Properties["d"].Value).Properties["e"].Value);
    }

    [Theory]
    [InlineData("\"a\\\"b\\\\c\\/d\\n\\u00e9\"", "a\"b\\c/d\né")]
    [InlineData("\"\\ud83d\\ude00\"", "\ud83d\ude00")]
    [InlineData("  \"spaced\"  ", "spaced")]
    public void ParsesStringsWithEscapes(string json, string expected) => Assert.Equal(expected, JsonParser.Parse(json));

    [Fact]
    public void KeepsNumbersExactWhereItCan()
    {
        Assert.Equal(9223372036854775807L, JsonParser.Parse("9223372036854775807"));
        Assert.Equal(92233720368547758070m, JsonParser.Parse("92233720368547758070"));
        Assert.Equal(0.1, JsonParser.Parse("0.1"));
        Assert.Equal(-0L, JsonParser.Parse("-0"));
    }

    [Fact]
    public void LastDuplicateKeyWins()
    {
        var value = (PSObject)JsonParser.Parse("{\"a\":1,\"a\":2}")!;
        Assert.Equal(2L, value.Properties["a"].Value);
    }

    [Theory]
    [InlineData("{\"a\":1,")]
    [InlineData("{\"a\" 1}")]
    [InlineData("[1,2")]
    [InlineData("[1 2]")]
    [InlineData("{'a':1}")]
    [InlineData("01")]
    [InlineData("1.")]
    [InlineData("tru")]
    [InlineData("\"open")]
    [InlineData("\"bad \\x escape\"")]
    [InlineData("\"tab\there\"")]
    [InlineData("{} {}")]
    [InlineData("")]
    public void RefusesInvalidJsonWithAPosition(string json)
    {
        var ex = Assert.Throws<FormatException>(() => JsonParser.Parse(json));
        Assert.Contains("Invalid JSON at line", ex.Message);
    }

    [Fact]
    public void RefusesNestingDeepEnoughToHurtTheStack()
    {
        string deep = new string('[', 100_000) + new string(']', 100_000);
        Assert.Throws<FormatException>(() => JsonParser.Parse(deep));
    }

    [Fact]
    public void WriterRoundTripsThroughTheParser()
    {
        var table = new System.Collections.Hashtable { ["n"] = 1, ["s"] = "q\"\n", ["list"] = new object[] { 1.5, null!, true } };
        var back = (PSObject)JsonParser.Parse(JsonWriter.Write(table))!;
        Assert.Equal(1L, back.Properties["n"].Value);
        Assert.Equal("q\"\n", back.Properties["s"].Value);
        Assert.Equal(new object?[] { 1.5, null, true }, (object?[])back.Properties["list"].Value);
    }
}
