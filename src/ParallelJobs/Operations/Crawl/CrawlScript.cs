using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using System.Threading;

namespace ParallelJobs.Operations.Crawl;

/// <summary>
/// -Process: the caller's script block run for each fetched page on the crawl's own worker thread, in a runspace
/// that thread opens on its first page and keeps for the crawl (one per worker, so no page waits for another's).
/// The page is $_ and the first argument ($args[0], or the first parameter of a param block); a script with a
/// process block gets the page piped in as well. What it outputs is the page's output, so it is written in
/// discovery order; its errors, warnings, verbose, debug and information records go with that page.
/// The script block is passed as text: a script block belongs to the runspace that made it, and each worker
/// compiles its own copy. Caller variables are not seen, but $using: values are, taken from the caller once,
/// when the crawl starts, as ForEach-Object -Parallel takes them.
/// </summary>
internal sealed class CrawlScript : IDisposable
{
    private const string UsingPrefix = "__pjUsing_";

    // The $using: values are variables of the driver's scope, which the block, a child scope, reads.
    private const string Driver =
        "param($__pjText, $__pjPage, $__pjPipe, $__pjUsing) "
        + "for ($__pjI = 0; $__pjI -lt $__pjUsing.Length; $__pjI++) { Set-Variable -Name ('" + UsingPrefix + "' + $__pjI) -Value $__pjUsing[$__pjI] }; "
        + "$_ = $__pjPage; $__pjBlock = [scriptblock]::Create($__pjText); "
        + "if ($__pjPipe) { $__pjPage | & $__pjBlock $__pjPage } else { & $__pjBlock $__pjPage }";

    private readonly object?[] _usingValues;

    private readonly string _text;
    private readonly bool _pipe;
    private readonly string _location;
    private readonly Lazy<InitialSessionState> _state = new(CreateState, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly ThreadLocal<Runspace?> _runspaces = new(trackAllValues: true);
    private int _disposed;

    /// <summary>Pipeline thread: reads the script's $using: values from <paramref name="caller"/>; throws when one is undefined.</summary>
    public CrawlScript(ScriptBlock script, string location, Scripting.ICallerValues caller)
    {
        var ast = (ScriptBlockAst)script.Ast;
        _pipe = ast.ProcessBlock is not null;
        _location = location;
        (_text, _usingValues) = RewriteUsing(script.ToString(), ast, caller);
    }

    /// <summary>$using:x becomes ${__pjUsing_0}, its value read now; $using:a[0] and the like are evaluated whole.</summary>
    private static (string Text, object?[] Values) RewriteUsing(string text, ScriptBlockAst ast, Scripting.ICallerValues caller)
    {
        int bodyAt = ast.Extent.Text.IndexOf(text, StringComparison.Ordinal);
        var values = new List<object?>();
        var slots = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var edits = new List<(int Start, int Length, string With)>();
        foreach (Ast found in ast.FindAll(a => a is UsingExpressionAst, searchNestedScriptBlocks: true))
        {
            var usingAst = (UsingExpressionAst)found;
            if (bodyAt < 0 || Scripting.UsingBoundary.IsInsideNested(usingAst, ast))
            {
                // A nested parallel or remote call resolves its own.
                continue;
            }

            VariableExpressionAst variable = UsingExpressionAst.ExtractUsingVariable(usingAst);
            string name = variable.VariablePath.UserPath;
            name = name.StartsWith("using:", StringComparison.OrdinalIgnoreCase) ? name.Substring("using:".Length) : name;
            bool plain = usingAst.SubExpression is VariableExpressionAst;
            string key = plain ? "$" + name : usingAst.Extent.Text;
            if (!slots.TryGetValue(key, out int slot))
            {
                object? value;
                if (plain)
                {
                    value = caller.TryGetVariable(name, out object? read) ? read : throw new Scripting.UsingVariableUndefinedException(usingAst.Extent.Text, name);
                }
                else
                {
                    string expression = usingAst.SubExpression.Extent.Text;
                    int at = variable.Extent.StartOffset - usingAst.SubExpression.Extent.StartOffset;
                    string bare = "${" + name.Replace("`", "``").Replace("}", "`}").Replace("{", "`{") + "}";
                    value = caller.Evaluate(expression.Substring(0, at) + bare + expression.Substring(at + variable.Extent.Text.Length), usingAst.Extent.Text, name);
                }

                if (Scripting.ScriptBlockValues.Find(value) is { } where)
                {
                    throw new Scripting.UsingScriptBlockException(name, where);
                }

                slot = values.Count;
                slots[key] = slot;
                values.Add(value);
            }

            edits.Add((usingAst.Extent.StartOffset - ast.Extent.StartOffset - bodyAt, usingAst.Extent.EndOffset - usingAst.Extent.StartOffset, "${" + UsingPrefix + slot + "}"));
        }

        // From the end, so earlier offsets stay true.
        var result = new System.Text.StringBuilder(text);
        foreach ((int start, int length, string with) in edits.OrderByDescending(e => e.Start))
        {
            if (start >= 0 && start + length <= result.Length)
            {
                result.Remove(start, length).Insert(start, with);
            }
        }

        return (result.ToString(), values.ToArray());
    }

    /// <summary>Dedicated worker thread: runs the script for the page and returns its output.</summary>
    public IList? Run(ParallelCrawlPage page, ItemContext context, CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        Runspace runspace = _runspaces.Value ??= Open();
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddScript(Driver, useLocalScope: true).AddArgument(_text).AddArgument(page).AddArgument(_pipe).AddArgument(_usingValues);
        Collection<PSObject> output;
        using (token.Register(() => ps.BeginStop(null, null)))
        {
            try
            {
                output = ps.Invoke();
            }
            catch (PipelineStoppedException) when (token.IsCancellationRequested)
            {
                // Ctrl+C or the page's timeout stopped the script: a cancellation, as for a fetch.
                throw new OperationCanceledException(token);
            }
            finally
            {
                Forward(ps.Streams, context);
            }
        }

        token.ThrowIfCancellationRequested();
        var list = new List<object?>(output.Count);
        foreach (PSObject item in output)
        {
            list.Add(item);
        }

        return list;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (Runspace? runspace in _runspaces.Values)
        {
            try
            {
                runspace?.Dispose();
            }
            catch (Exception)
            {
                // A worker that outlived the run may still be in it; the process reclaims it.
            }
        }

        _runspaces.Dispose();
    }

    private static InitialSessionState CreateState()
    {
        InitialSessionState state = InitialSessionState.CreateDefault2();

        // The worker thread runs the script itself: no pipeline thread per page.
        state.ThreadOptions = PSThreadOptions.UseCurrentThread;
        return state;
    }

    private Runspace Open()
    {
        Runspace runspace = RunspaceFactory.CreateRunspace(_state.Value);
        runspace.Name = "ParallelJobs crawl " + Environment.CurrentManagedThreadId;
        runspace.Open();
        if (System.IO.Directory.Exists(_location))
        {
            using PowerShell ps = PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddCommand("Set-Location").AddParameter("LiteralPath", _location).Invoke();
        }

        return runspace;
    }

    private static void Forward(PSDataStreams streams, ItemContext context)
    {
        foreach (ErrorRecord error in streams.Error)
        {
            context.WriteError(error);
        }

        foreach (WarningRecord warning in streams.Warning)
        {
            context.WriteWarning(warning.Message);
        }

        foreach (VerboseRecord verbose in streams.Verbose)
        {
            context.WriteVerbose(verbose.Message);
        }

        foreach (DebugRecord debug in streams.Debug)
        {
            context.WriteRecord(Engine.StreamKind.Debug, debug);
        }

        foreach (InformationRecord information in streams.Information)
        {
            context.WriteRecord(Engine.StreamKind.Information, information);
        }
    }
}
