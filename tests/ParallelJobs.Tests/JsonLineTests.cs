using System;
using System.Collections.Generic;
using ParallelJobs.Engine;
using ParallelJobs.Json;
using Xunit;

namespace ParallelJobs.Tests;

public class JsonLineTests
{
    [Theory]
    [InlineData("plain")]
    [InlineData("")]
    [InlineData("quote \" and backslash \\ and slash /")]
    [InlineData("line\nbreak\r\ttab")]
    [InlineData("\b\f\u0001\u001f\u007f")]
    [InlineData("héllo ☃ 日本語 😀")]
    [InlineData("{\"looks\":\"like json\"}")]
    [InlineData("  spaces at both ends  ")]
    public void StringsRoundTrip(string value)
    {
        Dictionary<string, object?> read = JsonLine.Read(JsonLine.Write(Fields(("value", value))));

        Assert.Equal(value, Assert.IsType<string>(read["value"]));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NumbersJsonCannotHoldAreWrittenAsNull(double value)
    {
        Assert.Equal("{\"d\":null}", JsonLine.Write(Fields(("d", value))));
    }

    [Fact]
    public void KeysWithEscapesRoundTrip()
    {
        const string key = "k\"e\\y\n☃";

        Dictionary<string, object?> read = JsonLine.Read(JsonLine.Write(Fields((key, "v"))));

        Assert.Equal("v", read[key]);
    }

    [Fact]
    public void NumbersComeBackAsDoubles()
    {
        string line = JsonLine.Write(Fields(
            ("int", 42), ("negative", -7), ("long", 1L << 40), ("max", long.MaxValue),
            ("half", 3.5), ("small", 1e-7), ("third", 1.0 / 3), ("huge", 1e300), ("zero", 0)));

        Dictionary<string, object?> read = JsonLine.Read(line);

        Assert.Equal(42.0, read["int"]);
        Assert.Equal(-7.0, read["negative"]);
        Assert.Equal((double)(1L << 40), read["long"]);
        Assert.Equal((double)long.MaxValue, read["max"]);
        Assert.Equal(3.5, read["half"]);
        Assert.Equal(1e-7, read["small"]);
        Assert.Equal(1.0 / 3, read["third"]);
        Assert.Equal(1e300, read["huge"]);
        Assert.Equal(0.0, read["zero"]);
    }

    [Fact]
    public void NullAndBooleansRoundTrip()
    {
        Dictionary<string, object?> read = JsonLine.Read(JsonLine.Write(Fields(("none", null), ("yes", true), ("no", false))));

        Assert.True(read.ContainsKey("none"));
        Assert.Null(read["none"]);
        Assert.Equal(true, read["yes"]);
        Assert.Equal(false, read["no"]);
    }

    [Fact]
    public void OtherValuesAreWrittenAsInvariantStrings()
    {
        var when = new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);

        Dictionary<string, object?> read = JsonLine.Read(JsonLine.Write(Fields(("decimal", 1.5m), ("status", ItemStatus.TimedOut), ("when", when))));

        Assert.Equal("1.5", read["decimal"]);
        Assert.Equal("TimedOut", read["status"]);
        Assert.IsType<string>(read["when"]);
    }

    [Fact]
    public void WritesOneCompactLine()
    {
        string line = JsonLine.Write(Fields(("a", 1), ("b", "x\ny"), ("c", null), ("d", true), ("e", "\u0001")));

        Assert.Equal("{\"a\":1,\"b\":\"x\\ny\",\"c\":null,\"d\":true,\"e\":\"\\u0001\"}", line);
        Assert.DoesNotContain('\n', line);
        Assert.Equal("{}", JsonLine.Write(Fields()));
    }

    [Fact]
    public void ReadsStandardJsonItDoesNotWriteItself()
    {
        Dictionary<string, object?> read = JsonLine.Read(
            " { \"a\" : \"caf\\u00e9\" , \"b\":\"\\/\\uD83D\\uDE00\" ,\"c\": -1.5E+3, \"d\" :null}\t");

        Assert.Equal("café", read["a"]);
        Assert.Equal("/😀", read["b"]);
        Assert.Equal(-1500.0, read["c"]);
        Assert.Null(read["d"]);
        Assert.Empty(JsonLine.Read("{ }"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("}")]
    [InlineData("[1,2]")]
    [InlineData("null")]
    [InlineData("{\"a\":1")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{\"a\"}")]
    [InlineData("{\"a\":}")]
    [InlineData("{a:1}")]
    [InlineData("{'a':1}")]
    [InlineData("{\"a\":1 \"b\":2}")]
    [InlineData("{\"a\":1}}")]
    [InlineData("{\"a\":1} trailing")]
    [InlineData("{\"a\":nul}")]
    [InlineData("{\"a\":tru}")]
    [InlineData("{\"a\":truex}")]
    [InlineData("{\"a\":NaN}")]
    [InlineData("{\"a\":-}")]
    [InlineData("{\"a\":1.2.3}")]
    [InlineData("{\"a\":{}}")]
    [InlineData("{\"a\":[1]}")]
    [InlineData("{\"a\":\"unterminated}")]
    [InlineData("{\"a\":\"cut escape\\")]
    [InlineData("{\"a\":\"\\u12\"}")]
    [InlineData("{\"a\":\"\\uzzzz\"}")]
    [InlineData("{\"type\":\"item\",\"ind")]
    public void RejectsMalformedText(string line)
    {
        Assert.Throws<FormatException>(() => JsonLine.Read(line));
    }

    private static List<KeyValuePair<string, object?>> Fields(params (string Key, object? Value)[] fields)
    {
        var list = new List<KeyValuePair<string, object?>>();
        foreach ((string key, object? value) in fields)
        {
            list.Add(new KeyValuePair<string, object?>(key, value));
        }

        return list;
    }
}
