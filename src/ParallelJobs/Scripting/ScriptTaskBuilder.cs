using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;

namespace ParallelJobs.Scripting;

/// <summary>
/// Turns a caller's script block into a <see cref="ScriptTask"/>. A script block is bound to the runspace
/// that made it, so workers get its text instead. Rewrites on the way: each <c>$using:</c> of the outer call
/// (not those of a nested parallel call, see <see cref="UsingBoundary"/>) becomes a variable that each item
/// defines in its own scope; the body is wrapped in try/catch so that output written before a throw is kept,
/// as it would be in a sequential loop; and a shape that needs it (<see cref="ItemShape"/>) runs as a command
/// of its own, in a loop of one pass that a top-level break, continue or exit ends.
/// </summary>
internal static class ScriptTaskBuilder
{
    /// <summary>The variable each worker runspace holds the "item threw" callback in.</summary>
    public const string FailCallbackVariable = "__pjFail";

    private const string UsingPrefix = "__pjUsing_";

    /// <summary>The label of the loop that a reshaped item runs in: <c>exit</c> becomes a break to it.</summary>
    public const string ItemLabel = "__pjItem";

    public static ScriptTask Build(ScriptBlock scriptBlock, ICallerValues caller, object?[]? arguments)
    {
        var ast = (ScriptBlockAst)scriptBlock.Ast;
        var source = new SourceText(ast);
        var names = new List<string>();
        var values = new List<object?>();
        var indexByKey = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);

        foreach (UsingExpressionAst usingAst in ast.FindAll(a => a is UsingExpressionAst, searchNestedScriptBlocks: true).Cast<UsingExpressionAst>())
        {
            if (UsingBoundary.IsInsideNested(usingAst, ast))
            {
                // An inner parallel or remote call resolves this one against the item's own variables.
                continue;
            }

            VariableExpressionAst variable = UsingExpressionAst.ExtractUsingVariable(usingAst);
            string name = UsingName(variable);
            bool plain = usingAst.SubExpression is VariableExpressionAst;

            // $using:x and ${using:X} are one value; $using:a[0] and $using:a.Count are evaluated whole in the
            // caller, as ForEach-Object -Parallel does, so each distinct expression is one value.
            string key = plain ? "$" + name : usingAst.Extent.Text;
            if (!indexByKey.TryGetValue(key, out int slot))
            {
                object? value = Resolve(usingAst, variable, name, plain, caller);
                if (ScriptBlockValues.Find(value) is { } where)
                {
                    throw new UsingScriptBlockException(name, where);
                }

                slot = names.Count;
                indexByKey[key] = slot;
                names.Add(UsingPrefix + slot);
                values.Add(value);
            }

            // Braced, so that a following letter in an expandable string ("${using:x}s") stays outside the name.
            source.Replace(usingAst.Extent, "${" + UsingPrefix + slot + "}");
        }

        ItemShape shape = ItemShape.Of(ast);
        foreach (ExitStatementAst exit in shape.Exits)
        {
            // exit ends the item, as it ends a ForEach-Object -Parallel item's script, and keeps its output.
            source.Replace(exit.Extent, "break " + ItemLabel);
        }

        string text = shape.RunsAsCommand ? WrapAsCommand(ast, source, shape) : Wrap(ast, source, shape.NeedsItemLoop);
        int bodyStart = AfterUsings(text);
        var task = new ScriptTask(text, names.ToArray(), values.ToArray(), arguments ?? Array.Empty<object?>())
        {
            Reshaped = shape.RunsAsCommand || shape.NeedsItemLoop,
            StreamingText = Called(text, bodyStart, " | & { process { [" + typeof(SharedScopeOutput).FullName + "]::Write($_) } }"),
            CalledText = Called(text, bodyStart, string.Empty),
        };
        task.LeavesSessionAlone = SharedScopeAnalyzer.LeavesSessionAlone(ast);
        if (SharedScopeAnalyzer.ResetsFor(ast) is { } resets)
        {
            task.SharedScopeText = SharedScope(ast, source, resets);
            task.SharedScopeResets = resets;
        }

        return task;
    }

    /// <summary>
    /// The item's text with its body called: for a worker runspace with <paramref name="tail"/> handing its output
    /// on object by object as it is written (<see cref="SharedScopeOutput"/>), so that what an item wrote before a
    /// timeout stopped it is kept; for hosts and worker processes as it is. The body is called with <c>&amp;</c>, in a scope of its own below the item's, with its arguments: PowerShell keeps
    /// a called block's variables in compiled slots, where a dot-sourced one (as ForEach-Object -Parallel's item,
    /// run at its runspace's global scope) looks each up by name, which made a loop over a million bytes eight
    /// times slower. Scoping is dynamic, so the item sees what it saw before; only the <c>using</c> statements,
    /// which must open a script, stay outside.
    /// </summary>
    private static string Called(string text, int bodyStart, string tail) =>
        bodyStart < 0 ? text : text.Substring(0, bodyStart) + "\n& {" + text.Substring(bodyStart) + "\n} @args" + tail;

    /// <summary>Where the text's body begins, after its <c>using</c> statements; -1 when it does not parse.</summary>
    private static int AfterUsings(string text)
    {
        ScriptBlockAst parsed = Parser.ParseInput(text, out _, out ParseError[] errors);
        if (errors.Length > 0)
        {
            return -1;
        }

        int start = 0;
        foreach (UsingStatementAst usingStatement in parsed.UsingStatements)
        {
            start = Math.Max(start, usingStatement.Extent.EndOffset);
        }

        return start;
    }

    private static string UsingName(VariableExpressionAst variable)
    {
        // PowerShell 7 gives "x" for $using:x and "env:FOO" for $using:env:FOO; 5.1 keeps the "using:" prefix.
        string name = variable.VariablePath.UserPath;
        return name.StartsWith("using:", StringComparison.OrdinalIgnoreCase) ? name.Substring("using:".Length) : name;
    }

    private static object? Resolve(UsingExpressionAst usingAst, VariableExpressionAst variable, string name, bool plain, ICallerValues caller)
    {
        if (plain)
        {
            return caller.TryGetVariable(name, out object? value) ? value : throw new UsingVariableUndefinedException(usingAst.Extent.Text, name);
        }

        // The expression's text with $using:a as ${a}, for the caller to evaluate.
        string expression = usingAst.SubExpression.Extent.Text;
        int at = variable.Extent.StartOffset - usingAst.SubExpression.Extent.StartOffset;
        string plainVariable = "${" + name.Replace("`", "``").Replace("}", "`}").Replace("{", "`{") + "}";
        expression = expression.Substring(0, at) + plainVariable + expression.Substring(at + variable.Extent.Text.Length);
        return caller.Evaluate(expression, usingAst.Extent.Text, name);
    }

    /// <summary>The feed variable of a shared-scope batch: an enumerable of the batch's inputs.</summary>
    public const string FeedVariable = "__pjFeed";

    /// <summary>
    /// A batch in one pipeline: the feed's inputs go through the body as a process block (each item's
    /// variables cleared first, a throw caught per item), and every output object reaches the runner as it
    /// is written, while the feed knows which item is current.
    /// </summary>
    private static string SharedScope(ScriptBlockAst ast, SourceText source, string[] resets)
    {
        List<IScriptExtent> parts = BodyParts(ast);
        int start = parts.Count == 0 ? source.BodyEnd : parts.Min(e => e.StartOffset);
        int end = parts.Count == 0 ? source.BodyEnd : parts.Max(e => e.EndOffset);
        var text = new StringBuilder();
        text.Append(source.Slice(source.BodyStart, start));
        text.Append('$').Append(FeedVariable).Append(" | & { process { ");
        foreach (string name in resets)
        {
            text.Append("${").Append(name).Append("} = ");
        }

        // A bare "$null;" statement, with nothing to reset, would cost a fifth of a microsecond per item.
        text.Append(resets.Length == 0 ? "try { " : "$null; try { ");
        text.Append(source.Slice(start, end));
        text.Append("\n} catch { $").Append(FailCallbackVariable).Append(".Invoke($_) } } } | & { process { [")
            .Append(typeof(SharedScopeOutput).FullName).Append("]::Write($_) } }");
        return text.ToString();
    }

    private static List<IScriptExtent> BodyParts(ScriptBlockAst ast) =>
        ast.EndBlock!.Statements.Select(st => st.Extent).Concat(ast.EndBlock.Traps?.Select(t => t.Extent) ?? Enumerable.Empty<IScriptExtent>()).ToList();

    private static string Wrap(ScriptBlockAst ast, SourceText source, bool itemLoop)
    {
        // The unnamed end block's extent also covers the param block, so wrap from its first statement.
        List<IScriptExtent> parts = BodyParts(ast);
        if (parts.Count == 0)
        {
            return source.Slice(source.BodyStart, source.BodyEnd);
        }

        int endStart = parts.Min(e => e.StartOffset);
        int endEnd = parts.Max(e => e.EndOffset);
        var text = new StringBuilder();
        text.Append(source.Slice(source.BodyStart, endStart));
        AppendBody(text, source.Slice(endStart, endEnd), itemLoop);
        text.Append(source.Slice(endEnd, source.BodyEnd));
        return text.ToString();
    }

    /// <summary>
    /// Named blocks, dynamicparam or [CmdletBinding()]: the body runs as a command of its own, as a
    /// ForEach-Object -Parallel item's script does, so begin/process/end run once per item and $PSCmdlet
    /// is there. A simple body gets the item piped in, so its process block sees it as $_; an advanced one
    /// binds no pipeline input, as in ForEach-Object -Parallel. Only <c>using</c> statements stay outside.
    /// </summary>
    private static string WrapAsCommand(ScriptBlockAst ast, SourceText source, ItemShape shape)
    {
        int bodyStart = source.BodyStart;
        foreach (UsingStatementAst usingStatement in ast.UsingStatements)
        {
            bodyStart = Math.Max(bodyStart, usingStatement.Extent.EndOffset);
        }

        var text = new StringBuilder();
        text.Append(source.Slice(source.BodyStart, bodyStart)).Append('\n');
        string call = (shape.Advanced ? "& {" : ",$_ | & {") + source.Slice(bodyStart, source.BodyEnd) + "\n} @args";
        AppendBody(text, call, shape.NeedsItemLoop);
        return text.ToString();
    }

    /// <summary>
    /// The body in try/catch, so that output written before a throw is kept, as it would be in a sequential
    /// loop; and, when it breaks, continues or exits at its top level, in a loop of one pass that they end.
    /// </summary>
    private static void AppendBody(StringBuilder text, string body, bool itemLoop)
    {
        if (itemLoop)
        {
            text.Append(':').Append(ItemLabel).Append(" do { ");
        }

        text.Append("try { ");
        text.Append(body);
        text.Append("\n} catch { $").Append(FailCallbackVariable).Append(".Invoke($_) }");
        if (itemLoop)
        {
            text.Append(" } while ($false)");
        }
    }

    /// <summary>The script block's source with pending replacements, addressed by original offsets.</summary>
    private sealed class SourceText
    {
        private readonly string _text;
        private readonly int _base;
        private readonly SortedList<int, (int Length, string With)> _replacements = new();

        public SourceText(ScriptBlockAst ast)
        {
            _text = ast.Extent.Text;
            _base = ast.Extent.StartOffset;
            BodyStart = _base;
            BodyEnd = _base + _text.Length;

            // A literal { ... } includes its braces in the extent; the worker needs only the body.
            if (ast.Parent is not null && _text.Length >= 2 && _text[0] == '{' && _text[_text.Length - 1] == '}')
            {
                BodyStart++;
                BodyEnd--;
            }
        }

        public int BodyStart { get; }

        public int BodyEnd { get; }

        public void Replace(IScriptExtent extent, string with) =>
            _replacements[extent.StartOffset] = (extent.EndOffset - extent.StartOffset, with);

        public string Slice(int from, int to)
        {
            var text = new StringBuilder();
            int at = from;
            foreach (KeyValuePair<int, (int Length, string With)> r in _replacements)
            {
                // A replacement inside an earlier one (a $using: in a rewritten exit) went with it.
                if (r.Key < from || r.Key >= to || r.Key < at)
                {
                    continue;
                }

                text.Append(_text, at - _base, r.Key - at).Append(r.Value.With);
                at = r.Key + r.Value.Length;
            }

            text.Append(_text, at - _base, to - at);
            return text.ToString();
        }
    }
}
