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
        Assert.Equal(2, task.UsingNames.Length);
        Assert.All(task.UsingNames, n => Assert.Contains("$" + n, task.Text));
        Assert.Equal(new object?[] { 4, "world" }, task.UsingValues);

        // Each distinct name (case-insensitive, as PowerShell's variables are) is read once.
        Assert.Equal(new[] { "x", "Name" }, _reads);
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

        Assert.NotNull(Parse(task.Text).ParamBlock);
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
    [InlineData("begin { $t = 0 } process { $t += $_ } end { $t }")]
    [InlineData("end { 'only end' }")]
    [InlineData("param($p) process { $_ }")]
    [InlineData("dynamicparam { } end { 1 }")]
    public void NamedBlockScriptsAreNotWrapped(string script)
    {
        ScriptTask task = Build(ScriptBlock.Create(script));

        Assert.DoesNotContain("try", task.Text);
        Assert.DoesNotContain(ScriptTaskBuilder.FailCallbackVariable, task.Text);
        Assert.Equal(script, task.Text);
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
        ScriptTask task = Build(Literal("{ process { $_ } }"));

        Assert.Equal(" process { $_ } ", task.Text);
    }

    [Fact]
    public void NoArgumentsIsAnEmptyList()
    {
        Assert.Empty(Build(ScriptBlock.Create("1")).Arguments);
    }

    private ScriptTask Build(ScriptBlock scriptBlock, params object?[] arguments) =>
        ScriptTaskBuilder.Build(scriptBlock, name =>
        {
            _reads.Add(name);
            return _callerVariables.TryGetValue(name, out object? value) ? value : null;
        }, arguments.Length == 0 ? null : arguments);

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
