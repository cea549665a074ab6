using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;

namespace ParallelJobs.Scripting;

/// <summary>
/// Turns a caller's script block into a <see cref="ScriptTask"/>. A script block is bound to the runspace
/// that made it, so workers get its text instead. Two rewrites happen on the way:
/// <c>$using:x</c> becomes a variable that each item defines in its own scope, and the body is wrapped in
/// try/catch so that output written before a throw is kept, as it would be in a sequential loop.
/// </summary>
internal static class ScriptTaskBuilder
{
    /// <summary>The variable each worker runspace holds the "item threw" callback in.</summary>
    public const string FailCallbackVariable = "__pjFail";

    private const string UsingPrefix = "__pjUsing_";

    public static ScriptTask Build(ScriptBlock scriptBlock, Func<string, object?> readCallerVariable, object?[]? arguments)
    {
        var ast = (ScriptBlockAst)scriptBlock.Ast;
        var source = new SourceText(ast);
        var names = new List<string>();
        var values = new List<object?>();
        var indexByName = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);

        foreach (UsingExpressionAst usingAst in ast.FindAll(a => a is UsingExpressionAst, searchNestedScriptBlocks: true).Cast<UsingExpressionAst>())
        {
            VariableExpressionAst variable = UsingExpressionAst.ExtractUsingVariable(usingAst);
            // PowerShell 7 gives "x" for $using:x and "env:FOO" for $using:env:FOO; 5.1 keeps the "using:" prefix.
            string name = variable.VariablePath.UserPath;
            if (name.StartsWith("using:", StringComparison.OrdinalIgnoreCase))
            {
                name = name.Substring("using:".Length);
            }
            if (!indexByName.TryGetValue(name, out int slot))
            {
                object? value = readCallerVariable(name);
                if (value is ScriptBlock || (value is PSObject pso && pso.BaseObject is ScriptBlock))
                {
                    throw new UsingScriptBlockException(name);
                }

                slot = names.Count;
                indexByName[name] = slot;
                names.Add(UsingPrefix + slot);
                values.Add(value);
            }

            source.Replace(variable.Extent, "$" + UsingPrefix + slot);
        }

        var task = new ScriptTask(Wrap(ast, source), names.ToArray(), values.ToArray(), arguments ?? Array.Empty<object?>());
        task.LeavesSessionAlone = SharedScopeAnalyzer.LeavesSessionAlone(ast);
        if (SharedScopeAnalyzer.ResetsFor(ast) is { } resets)
        {
            task.SharedScopeText = SharedScope(ast, source, resets);
            task.SharedScopeResets = resets;
        }

        return task;
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

    private static string Wrap(ScriptBlockAst ast, SourceText source)
    {
        bool plainBody = ast.BeginBlock is null && ast.ProcessBlock is null && ast.DynamicParamBlock is null
            && ast.EndBlock is not null && ast.EndBlock.Unnamed;
        if (!plainBody)
        {
            // Named blocks cannot sit inside try; a throw then loses the output written before it.
            return source.Slice(source.BodyStart, source.BodyEnd);
        }

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
        text.Append("try { ");
        text.Append(source.Slice(endStart, endEnd));
        text.Append("\n} catch { $").Append(FailCallbackVariable).Append(".Invoke($_) }");
        text.Append(source.Slice(endEnd, source.BodyEnd));
        return text.ToString();
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
                if (r.Key < from || r.Key >= to)
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
