using System.Management.Automation.Language;
using ParallelJobs.Scripting;
using Xunit;

namespace ParallelJobs.Tests;

/// <summary>Which scripts skip the worker's check for global leftovers between items.</summary>
public class LeavesSessionAloneTests
{
    [Theory]
    [InlineData("$_")]
    [InlineData("$_ * 2")]
    [InlineData("\"item $_\"")]
    [InlineData("$x = $_; $x++; $x")]
    [InlineData("[math]::Sqrt($_)")]
    [InlineData("[int]$_ + 1")]
    [InlineData("[pscustomobject]@{ N = $_ }")]
    [InlineData("[ordered]@{ a = $_ }")]
    [InlineData("[System.Collections.Generic.List[int]]::new()")]
    [InlineData("$_.Name.ToUpper()")]
    [InlineData("$_ -as [int]")]
    [InlineData("$_ -is [runspace]")]
    [InlineData("$env:PATH")]
    [InlineData("$variable:x = 1")]
    [InlineData("$using:limit + $_")]
    [InlineData("@($_).ForEach({ $_ * 2 })")]
    [InlineData("function f { 1 }")]
    [InlineData("if ($_ -gt 1) { 'big' } else { throw 'small' }")]
    public void LetsScriptsWithoutCommandsOrScopedStateSkipTheCheck(string script)
    {
        Assert.True(Analyze(script));
    }

    [Theory]
    [InlineData("Set-Location /")]
    [InlineData("$_ | Write-Output")]
    [InlineData(". $sb")]
    [InlineData("& { 1 }")]
    [InlineData("$global:x = 1")]
    [InlineData("$script:x = 1")]
    [InlineData("$global:x")]
    [InlineData("${function:f} = { 1 }")]
    [InlineData("$alias:ls = 'dir'")]
    [InlineData("function global:f { }")]
    [InlineData("$ExecutionContext.SessionState.Path")]
    [InlineData("$PSCmdlet")]
    [InlineData("$Host.Runspace")]
    [InlineData("[runspace]::DefaultRunspace")]
    [InlineData("[powershell]::Create('CurrentRunspace')")]
    [InlineData("$t = [runspace]; $t")]
    [InlineData("$t::DefaultRunspace")]
    [InlineData("$_.GetType().Assembly")]
    [InlineData("$_.Invoke()")]
    [InlineData("$_.InvokeReturnAsIs()")]
    [InlineData("$m.GetValue($null)")]
    [InlineData("$_.$name()")]
    [InlineData("@(1).ForEach('GetType')")]
    [InlineData("[scriptblock]'Set-Location /'")]
    [InlineData("$_ -as [scriptblock]")]
    [InlineData("$_ -as $type")]
    [InlineData("[ref]$x")]
    [InlineData("param([System.Management.Automation.Runspaces.Runspace]$r) $r")]
    [InlineData("class C { }")]
    [InlineData("{ Get-Date }")]
    [InlineData("using namespace System.IO\n$_")]
    public void ChecksAfterScriptsThatCouldChangeTheRunspace(string script)
    {
        Assert.False(Analyze(script));
    }

    [Fact]
    public void TheBuilderRecordsTheVerdictOnTheTask()
    {
        Assert.True(ScriptTaskBuilder.Build(System.Management.Automation.ScriptBlock.Create("$_ * 2"), NoCallerValues.Instance, null).LeavesSessionAlone);
        Assert.False(ScriptTaskBuilder.Build(System.Management.Automation.ScriptBlock.Create("Set-Location /"), NoCallerValues.Instance, null).LeavesSessionAlone);
    }

    private static bool Analyze(string script)
    {
        ScriptBlockAst ast = Parser.ParseInput(script, out _, out ParseError[] errors);
        Assert.Empty(errors);
        return SharedScopeAnalyzer.LeavesSessionAlone(ast);
    }
}
