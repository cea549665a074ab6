using System.Management.Automation.Language;
using ParallelJobs.Scripting;
using Xunit;

namespace ParallelJobs.Tests;

public class SharedScopeAnalyzerTests
{
    [Theory]
    [InlineData("$_ * 2", new string[0])]
    [InlineData("$x = $_; $y = $x + 1; $y", new[] { "x", "y" })]
    [InlineData("foreach ($k in 1..2) { $k }", new[] { "k" })]
    [InlineData("$n++; $n", new[] { "n" })]
    public void ClearsTheVariablesAScriptAssigns(string script, string[] expected)
    {
        Assert.Equal(expected, Resets(script));
    }

    [Theory]
    [InlineData("$_ -match 'x'")]
    [InlineData("$_ -notmatch 'x'")]
    [InlineData("$_ -cmatch 'x'")]
    [InlineData("switch -Regex ($_) { 'x' { 1 } }")]
    [InlineData("$_ | ForEach-Object { $_ -imatch 'x' }")]
    public void ClearsMatchesOnlyWhenTheScriptCanSetIt(string script)
    {
        Assert.Equal(new[] { "Matches" }, Resets(script));
        Assert.DoesNotContain("Matches", Resets(script.Replace("match", "like").Replace("-Regex", "-Wildcard")));
    }

    [Theory]
    [InlineData("function f { 1 }; f")]
    [InlineData(". { $a = 1 }")]
    [InlineData("[int]$typed = $_")]
    [InlineData("Set-Variable -Name made -Value 1")]
    [InlineData("Write-Output 1 -OutVariable ov")]
    [InlineData("param($p) $p = 1")]
    [InlineData("@($input).Count")]
    public void SendsScriptsThatLeaveOtherStateToAScopePerItem(string script)
    {
        Assert.Null(SharedScopeAnalyzer.ResetsFor(Parser.ParseInput(script, out _, out _)));
    }

    private static string[] Resets(string script)
    {
        ScriptBlockAst ast = Parser.ParseInput(script, out _, out ParseError[] errors);
        Assert.Empty(errors);
        string[]? resets = SharedScopeAnalyzer.ResetsFor(ast);
        Assert.NotNull(resets);
        return resets!;
    }
}
