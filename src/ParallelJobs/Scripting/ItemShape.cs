using System;
using System.Collections.Generic;
using System.Management.Automation.Language;

namespace ParallelJobs.Scripting;

/// <summary>
/// What in a script's own shape needs more than a plain InvokeWithContext to behave per item as it does in
/// ForEach-Object -Parallel, where each item's script runs as a script of its own.
/// </summary>
internal sealed class ItemShape
{
    private ItemShape(bool runsAsCommand, bool advanced, bool needsItemLoop, List<ExitStatementAst> exits)
    {
        RunsAsCommand = runsAsCommand;
        Advanced = advanced;
        NeedsItemLoop = needsItemLoop;
        Exits = exits;
    }

    /// <summary>Named blocks, dynamicparam or [CmdletBinding()]: the body must run as a command.</summary>
    public bool RunsAsCommand { get; }

    /// <summary>[CmdletBinding()] or [Parameter()]: binds no pipeline input it has no parameter for.</summary>
    public bool Advanced { get; }

    /// <summary>A break, continue or exit that would leave the item's script: the item runs in a loop they can end.</summary>
    public bool NeedsItemLoop { get; }

    /// <summary>The item's own exit statements (not those of a nested parallel call), to become breaks out of that loop.</summary>
    public IReadOnlyList<ExitStatementAst> Exits { get; }

    public static ItemShape Of(ScriptBlockAst ast)
    {
        bool advanced = IsAdvanced(ast.ParamBlock);
        bool runsAsCommand = advanced || ast.BeginBlock is not null || ast.ProcessBlock is not null || ast.DynamicParamBlock is not null
            || (ast.EndBlock is not null && !ast.EndBlock.Unnamed);

        var exits = new List<ExitStatementAst>();
        bool escapes = false;
        foreach (Ast node in ast.FindAll(n => n is ExitStatementAst or BreakStatementAst or ContinueStatementAst, searchNestedScriptBlocks: true))
        {
            if (UsingBoundary.IsInsideNested(node, ast))
            {
                continue;
            }

            switch (node)
            {
                case ExitStatementAst exit:
                    exits.Add(exit);
                    break;
                case BreakStatementAst { Label: null } when !InsideLoop(node):
                case ContinueStatementAst { Label: null } when !InsideLoop(node):
                    // Unlabeled and outside a loop of its own script block: PowerShell looks for a loop further
                    // out, at run time, and would leave the item's script.
                    escapes = true;
                    break;
            }
        }

        return new ItemShape(runsAsCommand, advanced, escapes || exits.Count > 0, exits);
    }

    private static bool IsAdvanced(ParamBlockAst? paramBlock)
    {
        if (paramBlock is null)
        {
            return false;
        }

        foreach (AttributeAst attribute in paramBlock.Attributes)
        {
            if (Named(attribute, "CmdletBinding"))
            {
                return true;
            }
        }

        foreach (ParameterAst parameter in paramBlock.Parameters)
        {
            foreach (AttributeBaseAst attribute in parameter.Attributes)
            {
                if (attribute is AttributeAst a && Named(a, "Parameter"))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool Named(AttributeAst attribute, string name)
    {
        string full = attribute.TypeName.Name;
        int dot = full.LastIndexOf('.');
        string last = dot >= 0 ? full.Substring(dot + 1) : full;
        return last.Equals(name, StringComparison.OrdinalIgnoreCase) || last.Equals(name + "Attribute", StringComparison.OrdinalIgnoreCase);
    }

    private static bool InsideLoop(Ast node)
    {
        for (Ast? parent = node.Parent; parent is not null && parent is not ScriptBlockAst; parent = parent.Parent)
        {
            if (parent is LoopStatementAst or SwitchStatementAst)
            {
                return true;
            }
        }

        return false;
    }
}
