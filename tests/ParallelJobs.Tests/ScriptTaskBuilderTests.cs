using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using ParallelJobs.Scripting;
using Xunit;

namespace ParallelJobs.Tests;

public class ScriptTaskBuilderTests
{
    private readonly List<string> _reads = new();
    private readonly Dictionary<string, object?> _callerVariables = new(StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void UsingVariablesAreRewrittenAndReadThroughTheCallback()
    {
        _callerVariables["x"] = 4;
        _callerVariables["Name"] = "world";

        ScriptTask task = Build(ScriptBlock.Create("$using:x * 10; \"hello $using:Name\"; ${using:x} + 1; & { $using:NAME.Length }"));

        Assert.DoesNotContain("using:", task.Text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(3, task.UsingNames.Length);
        Assert.All(task.UsingNames, n => Assert.Contains("${" + n + "}", task.Text));
        Assert.Equal(new object?[] { 4, "world", 5 }, task.UsingValues.Select(v => v is PSObject p ? p.BaseObject : v));

        // Each distinct name (case-insensitive, as PowerShell's variables are) is read once; a member
        // expression is evaluated whole, as ForEach-Object -Parallel does.
        Assert.Equal(new[] { "x", "Name", "${NAME}.Length" }, _reads);
        Assert.Equal(new object?[] { 40, "hello world", 5, 5 }, Execute(task));
    }

    [Fact]
    public void AScriptWithoutUsingIsLeftAsItIs()
    {
        ScriptTask task = Build(ScriptBlock.Create("$_ * 2"));

        Assert.Empty(task.UsingNames);
        Assert.Empty(task.UsingValues);
        Assert.Empty(_reads);
        Assert.Contains("$_ * 2", task.Text);
    }

    [Fact]
    public void AScriptBlockValueThrows()
    {
        _callerVariables["sb"] = ScriptBlock.Create("1");

        UsingScriptBlockException ex = Assert.Throws<UsingScriptBlockException>(() => Build(ScriptBlock.Create("& $using:sb")));

        Assert.Equal("sb", ex.VariableName);
        Assert.Contains("$using:sb", ex.Message);
    }

    [Fact]
    public void AWrappedScriptBlockValueThrows()
    {
        _callerVariables["sb"] = new PSObject(ScriptBlock.Create("1"));

        Assert.Throws<UsingScriptBlockException>(() => Build(ScriptBlock.Create("$using:sb")));
    }

    [Fact]
    public void UsingADriveQualifiedVariableReadsItWithItsDrive()
    {
        Build(ScriptBlock.Create("$using:env:PJ_TEST"));

        Assert.Equal(new[] { "env:PJ_TEST" }, _reads);
    }

    [Fact]
    public void ParamBlocksSurviveTheWrap()
    {
        ScriptTask task = Build(ScriptBlock.Create("param($a, $b)\n$a + $b"), 2, 3);

        ScriptBlockAst parsed = Parse(task.Text);
        Assert.Equal(new[] { "a", "b" }, parsed.ParamBlock!.Parameters.Select(p => p.Name.VariablePath.UserPath));
        Assert.IsType<TryStatementAst>(Assert.Single(parsed.EndBlock!.Statements));
        Assert.Equal(new object?[] { 2, 3 }, task.Arguments);
        Assert.Equal(new object?[] { 5 }, Execute(task));
    }

    [Fact]
    public void AttributedParamBlocksSurviveTheWrap()
    {
        ScriptTask task = Build(ScriptBlock.Create("[CmdletBinding()]\nparam([Parameter(Mandatory)][int] $n)\n$n * 2"), 21);

        Assert.True(task.Reshaped);
        Assert.Equal(new object?[] { 42 }, Execute(task));
    }

    [Fact]
    public void OutputBeforeAThrowIsKeptAndTheErrorGoesToTheCallback()
    {
        ScriptTask task = Build(ScriptBlock.Create("1; throw 'boom'; 2"));
        var failures = new List<object?>();

        Collection<PSObject> output = Invoke(task, failures);

        Assert.Equal(new object?[] { 1 }, output.Select(o => o?.BaseObject));
        ErrorRecord error = Assert.IsType<ErrorRecord>(Assert.Single(failures) is PSObject pso ? pso.BaseObject : failures[0]);
        Assert.Equal("boom", error.Exception.Message);
    }

    [Fact]
    public void TrapsStillHandleTheirErrors()
    {
        ScriptTask task = Build(ScriptBlock.Create("trap { 'trapped'; continue }\n1; throw 'x'; 2"));
        var failures = new List<object?>();

        Collection<PSObject> output = Invoke(task, failures);

        Assert.Equal(new object?[] { 1, "trapped", 2 }, output.Select(o => o?.BaseObject));
        Assert.Empty(failures);
    }

    [Fact]
    public void UsingStatementsStayFirst()
    {
        ScriptTask task = Build(ScriptBlock.Create("using namespace System.Text\n[StringBuilder]::new('sb').ToString()"));

        Assert.Equal(new object?[] { "sb" }, Execute(task));
    }

    [Theory]
    [InlineData("@'\nhere\n'@")]
    [InlineData("'here' # a comment after the last statement")]
    [InlineData("'here';")]
    [InlineData("\n\n  'here'  \n\n")]
    public void TheWrapKeepsAwkwardEndingsValid(string script)
    {
        ScriptTask task = Build(ScriptBlock.Create(script));

        Assert.Contains("try {", task.Text);
        Assert.Equal(new object?[] { "here" }, Execute(task));
    }

    [Theory]
    [InlineData("begin { $t = 0 } process { $t += 5 } end { $t }", 5)]
    [InlineData("end { 'only end' }", "only end")]
    [InlineData("dynamicparam { } end { 1 }", 1)]
    [InlineData("[CmdletBinding()] param() $PSCmdlet.GetType().Name", "PSScriptCmdlet")]
    public void NamedBlockAndAdvancedScriptsRunAsACommandOfTheirOwn(string script, object expected)
    {
        ScriptTask task = Build(ScriptBlock.Create(script));

        Assert.True(task.Reshaped);
        Assert.Null(task.SharedScopeText);
        Assert.Equal(new[] { expected }, Execute(task));
    }

    [Theory]
    [InlineData("'a'; exit; 'z'")]
    [InlineData("'a'; exit 3; 'z'")]
    [InlineData("'a'; break; 'z'")]
    [InlineData("'a'; continue; 'z'")]
    [InlineData("'a'; 1..3 | ForEach-Object { break }; 'z'")]
    [InlineData("function f { exit }; 'a'; f; 'z'")]
    [InlineData("process { 'a'; exit; 'z' }")]
    public void TopLevelExitAndBreakEndTheItemAndKeepItsOutput(string script)
    {
        ScriptTask task = Build(ScriptBlock.Create(script));

        Assert.True(task.Reshaped);
        Assert.Equal(new object?[] { "a" }, Execute(task));
    }

    [Fact]
    public void ABreakInsideALoopIsLeftAlone()
    {
        ScriptTask task = Build(ScriptBlock.Create("foreach ($i in 1, 2) { $i; break }"));

        Assert.False(task.Reshaped);
        Assert.Equal(new object?[] { 1 }, Execute(task));
    }

    [Theory]
    [InlineData("1 | ForEach-Object -Parallel { $using:o }")]
    [InlineData("1 | % -Pa { $using:o }")]
    [InlineData("Start-ThreadJob { $using:o }")]
    [InlineData("ThreadJob\\Start-ThreadJob -ScriptBlock { $using:o }")]
    [InlineData("Invoke-Command -ComputerName h { & { $using:o } }")]
    [InlineData("icm -Session $s -ScriptBlock { $using:o }")]
    [InlineData("1 | Invoke-ParallelJob { $using:o }")]
    [InlineData("Start-Job -ScriptBlock:{ $using:o }")]
    public void UsingInsideANestedParallelOrRemoteCallIsLeftToIt(string script)
    {
        ScriptTask task = Build(ScriptBlock.Create(script));

        Assert.Empty(task.UsingNames);
        Assert.Empty(_reads);
        Assert.Contains("$using:o", task.Text);
    }

    [Theory]
    [InlineData("& { $using:o }")]
    [InlineData("5 | Where-Object { $_ -gt $using:o }")]
    [InlineData("1 | ForEach-Object { $using:o }")]
    [InlineData("1 | ForEach-Object -Process { $using:o }")]
    [InlineData("Invoke-Command { $using:o }")]
    public void UsingInAnyOtherNestedBlockIsTheOuterCallers(string script)
    {
        _callerVariables["o"] = 4;

        ScriptTask task = Build(ScriptBlock.Create(script));

        Assert.Equal(new object?[] { 4 }, task.UsingValues);
        Assert.DoesNotContain("using:", task.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void AnUndefinedUsingVariableThrowsNamingIt()
    {
        UsingVariableUndefinedException ex = Assert.Throws<UsingVariableUndefinedException>(() => Build(ScriptBlock.Create("Remove-Item \"$using:tpyo/x\"")));

        Assert.Equal("tpyo", ex.VariableName);
        Assert.Contains("$using:tpyo", ex.Message);
        Assert.Equal(UsingVariableUndefinedException.ErrorId, ex.ErrorRecord.FullyQualifiedErrorId);
    }

    [Fact]
    public void AnUndefinedVariableInAUsingExpressionThrowsToo()
    {
        Assert.Throws<UsingVariableUndefinedException>(() => Build(ScriptBlock.Create("$using:nope.Count")));
    }

    [Fact]
    public void IndexAndMemberUsingExpressionsAreEvaluatedWholeInTheCaller()
    {
        _callerVariables["a"] = new object[] { 10, 20, 30 };

        ScriptTask task = Build(ScriptBlock.Create("$using:a[1]; $using:a.Count; $using:a[1]"));

        Assert.Equal(new object?[] { 20, 3 }, task.UsingValues.Select(v => v is PSObject p ? p.BaseObject : v));
        Assert.Equal(new object?[] { 20, 3, 20 }, Execute(task));
    }

    [Fact]
    public void AScriptBlockInsideAUsingValueThrows()
    {
        _callerVariables["h"] = new System.Collections.Hashtable { ["s"] = ScriptBlock.Create("1") };

        UsingScriptBlockException ex = Assert.Throws<UsingScriptBlockException>(() => Build(ScriptBlock.Create("$using:h")));

        Assert.Contains("['s']", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment")]
    [InlineData("param($a)")]
    public void ScriptsWithoutStatementsAreNotWrapped(string script)
    {
        ScriptTask task = Build(ScriptBlock.Create(script));

        Assert.Equal(script, task.Text);
    }

    [Fact]
    public void ALiteralScriptBlockLosesItsBraces()
    {
        _callerVariables["x"] = 7;

        ScriptTask task = Build(Literal("{ param($a) $a + $using:x }"), 1);

        Assert.DoesNotContain("{ param", task.Text);
        Assert.StartsWith(" param($a)", task.Text);
        Assert.Equal(new object?[] { 8 }, Execute(task));
    }

    [Fact]
    public void ALiteralNamedBlockScriptLosesItsBraces()
    {
        ScriptTask task = Build(Literal("{ process { 'p' } }"));

        Assert.DoesNotContain("{ process { 'p' } }", task.Text);
        Assert.Equal(new object?[] { "p" }, Execute(task));
    }

    [Fact]
    public void NoArgumentsIsAnEmptyList()
    {
        Assert.Empty(Build(ScriptBlock.Create("1")).Arguments);
    }

    private ScriptTask Build(ScriptBlock scriptBlock, params object?[] arguments) =>
        ScriptTaskBuilder.Build(scriptBlock, new FakeCaller(this), arguments.Length == 0 ? null : arguments);

    /// <summary>A caller whose variables are the test's dictionary; expressions run in a runspace that holds them.</summary>
    private sealed class FakeCaller : ICallerValues
    {
        private readonly ScriptTaskBuilderTests _test;

        public FakeCaller(ScriptTaskBuilderTests test) => _test = test;

        public bool TryGetVariable(string name, out object? value)
        {
            _test._reads.Add(name);
            return _test._callerVariables.TryGetValue(name, out value) || name.StartsWith("env:", StringComparison.OrdinalIgnoreCase);
        }

        public object? Evaluate(string expression, string usingText, string variableName)
        {
            _test._reads.Add(expression);
            using PowerShell ps = PowerShell.Create();
            foreach (KeyValuePair<string, object?> variable in _test._callerVariables)
            {
                ps.Runspace.SessionStateProxy.SetVariable(variable.Key, variable.Value);
            }

            ps.AddScript("Set-StrictMode -Version 1; ,(" + expression + ")");
            Collection<PSObject> result = ps.Invoke();
            if (ps.Streams.Error.Any(e => e.FullyQualifiedErrorId == "VariableIsUndefined"))
            {
                throw new UsingVariableUndefinedException(usingText, variableName);
            }

            return result.Count == 0 ? null : result[0];
        }
    }

    private static ScriptBlockAst Parse(string text)
    {
        ScriptBlockAst ast = Parser.ParseInput(text, out _, out ParseError[] errors);
        Assert.Empty(errors);
        return ast;
    }

    /// <summary>A script block as a caller writes it, { ... } in a script, whose extent includes the braces.</summary>
    private static ScriptBlock Literal(string text)
    {
        var expression = (ScriptBlockExpressionAst)Parse(text).Find(a => a is ScriptBlockExpressionAst, searchNestedScriptBlocks: false)!;
        return expression.ScriptBlock.GetScriptBlock();
    }

    private static object?[] Execute(ScriptTask task)
    {
        var failures = new List<object?>();
        Collection<PSObject> output = Invoke(task, failures);
        Assert.Empty(failures);
        return output.Select(o => o?.BaseObject).ToArray();
    }

    /// <summary>Runs the task's text as a worker would: the $using: values and the fail callback set as variables.</summary>
    private static Collection<PSObject> Invoke(ScriptTask task, List<object?> failures)
    {
        Parse(task.Text);
        using PowerShell ps = PowerShell.Create();
        ps.Runspace.SessionStateProxy.SetVariable(ScriptTaskBuilder.FailCallbackVariable, new Action<object?>(failures.Add));
        for (int i = 0; i < task.UsingNames.Length; i++)
        {
            ps.Runspace.SessionStateProxy.SetVariable(task.UsingNames[i], task.UsingValues[i]);
        }

        ps.AddScript(task.Text);
        foreach (object? argument in task.Arguments)
        {
            ps.AddArgument(argument);
        }

        Collection<PSObject> output = ps.Invoke();
        Assert.False(ps.HadErrors, string.Join("; ", ps.Streams.Error.Select(e => e.ToString())));
        return output;
    }
}
