using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ParallelJobs.Scripting;

/// <summary>
/// Decides whether a script can run many items in one scope without one item seeing another's state,
/// which is several times cheaper than a new scope per item. That holds when the only state a script can
/// leave behind is plain variables it assigns by name: those are cleared before each item. Anything else
/// that could outlive an item (functions, aliases, strict mode, dot-sourcing, typed or referenced
/// variables, *Variable common parameters, exit/break to outside) sends the script down the general path.
/// </summary>
internal static class SharedScopeAnalyzer
{
    private static readonly HashSet<string> UnsafeCommands = new(StringComparer.OrdinalIgnoreCase)
    {
        "Set-Variable", "sv", "set", "New-Variable", "nv", "Remove-Variable", "rv", "Clear-Variable", "clv",
        "Invoke-Expression", "iex", "Set-Alias", "sal", "New-Alias", "nal", "Set-StrictMode", "Set-PSDebug",
        "Set-Item", "si", "New-Item", "ni", "Remove-Item", "ri", "del", "rm", "Get-Variable", "gv",
    };

    private static readonly HashSet<string> Automatic = new(StringComparer.OrdinalIgnoreCase)
    {
        "_", "PSItem", "input", "args", "this", "true", "false", "null", "PSBoundParameters", "MyInvocation",
        "ParallelJob", "Error", "PWD", "HOME", "Host", "PID",
    };

    private static readonly string[] VariableParameters =
    {
        "OutVariable", "ErrorVariable", "WarningVariable", "InformationVariable", "PipelineVariable",
    };

    private static readonly HashSet<string> VariableParameterAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        "ov", "ev", "wv", "iv", "pv",
    };

    /// <summary>The variables to clear before each item, or null when the script needs a scope per item.</summary>
    public static string[]? ResetsFor(ScriptBlockAst ast)
    {
        if (ast.BeginBlock is not null || ast.ProcessBlock is not null || ast.DynamicParamBlock is not null
            || ast.EndBlock is null || !ast.EndBlock.Unnamed || ast.UsingStatements.Count > 0 || ast.ScriptRequirements is not null
            || (ast.ParamBlock is not null && ast.ParamBlock.Attributes.Count > 0))
        {
            return null;
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (Ast node in ast.FindAll(_ => true, searchNestedScriptBlocks: true))
        {
            if (!Allows(node, names))
            {
                return null;
            }

            if (SetsMatches(node))
            {
                // Cleared only when set: clearing it costs every item a fifth of a microsecond.
                names.Add("Matches");
            }
        }

        var parameters = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (ParameterAst parameter in ast.ParamBlock?.Parameters ?? (IEnumerable<ParameterAst>)Array.Empty<ParameterAst>())
        {
            parameters.Add(parameter.Name.VariablePath.UserPath);
        }

        foreach (string name in names)
        {
            // Clearing a parameter or an automatic variable would hide its value from the item.
            if (name.IndexOfAny(new[] { '}', '`', ':', '{' }) >= 0 || parameters.Contains(name) || Automatic.Contains(name))
            {
                return null;
            }
        }

        return new List<string>(names).ToArray();
    }

    private static bool Allows(Ast node, HashSet<string> assigned)
    {
        switch (node)
        {
            case FunctionDefinitionAst:
            case TrapStatementAst:
            case ExitStatementAst:
            case DataStatementAst:
                return false;
            case BreakStatementAst breakStatement:
                return breakStatement.Label is null && InsideLoop(breakStatement);
            case ContinueStatementAst continueStatement:
                return continueStatement.Label is null && InsideLoop(continueStatement);
            case AssignmentStatementAst assignment:
                return AddTargets(assignment.Left, assigned);
            case UnaryExpressionAst unary when unary.TokenKind is TokenKind.PlusPlus or TokenKind.MinusMinus or TokenKind.PostfixPlusPlus or TokenKind.PostfixMinusMinus:
                return AddTargets(unary.Child, assigned);
            case ForEachStatementAst loop:
                return AddTargets(loop.Variable, assigned);
            case ConvertExpressionAst convert when IsRef(convert.Type.TypeName):
                return false;
            case TypeConstraintAst constraint when IsRef(constraint.TypeName):
                return false;
            case VariableExpressionAst variable:
                string name = variable.VariablePath.UserPath;
                // $input would enumerate the batch's own pipeline input, the item, where a lone item has none.
                return !name.Equals("ExecutionContext", StringComparison.OrdinalIgnoreCase) && !name.Equals("PSCmdlet", StringComparison.OrdinalIgnoreCase)
                    && !name.Equals("input", StringComparison.OrdinalIgnoreCase);
            case CommandAst command:
                if (command.InvocationOperator == TokenKind.Dot)
                {
                    return false;
                }

                string? commandName = command.GetCommandName();
                if (commandName is not null && UnsafeCommands.Contains(commandName))
                {
                    return false;
                }

                foreach (CommandElementAst element in command.CommandElements)
                {
                    if (element is CommandParameterAst parameter && IsVariableParameter(parameter.ParameterName))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return true;
        }
    }

    /// <summary>Adds plain, untyped variables to <paramref name="assigned"/>; false for anything else that names a variable.</summary>
    private static bool AddTargets(ExpressionAst target, HashSet<string> assigned)
    {
        switch (target)
        {
            case VariableExpressionAst variable:
                VariablePath path = variable.VariablePath;
                if (path.UserPath.Equals("null", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }

                if (path.IsGlobal || path.IsScript || (path.IsDriveQualified && path.DriveName.Equals("env", StringComparison.OrdinalIgnoreCase)))
                {
                    // $global:x and $env:x live outside the item in either path.
                    return true;
                }

                if (path.IsDriveQualified && !path.IsVariable)
                {
                    // $function:f = {...} defines a function in the current scope.
                    return false;
                }

                if (path.IsPrivate || !path.IsUnscopedVariable && !path.IsLocal)
                {
                    return false;
                }

                string name = path.UserPath;
                int colon = name.IndexOf(':');
                assigned.Add(colon >= 0 ? name.Substring(colon + 1) : name);
                return true;
            case ArrayLiteralAst list:
                foreach (ExpressionAst element in list.Elements)
                {
                    if (!AddTargets(element, assigned))
                    {
                        return false;
                    }
                }

                return true;
            case ParenExpressionAst paren when paren.Pipeline is PipelineAst { PipelineElements.Count: 1 } pipeline
                && pipeline.PipelineElements[0] is CommandExpressionAst inner:
                return AddTargets(inner.Expression, assigned);
            case MemberExpressionAst:
            case IndexExpressionAst:
                // Changes an object, not a variable: the same in either path.
                return true;
            default:
                // Typed ([int]$x = ...) and attributed targets keep a constraint that would outlive the item.
                return false;
        }
    }

    /// <summary>-match, -notmatch and switch -Regex set $Matches in the scope they run in.</summary>
    private static bool SetsMatches(Ast node) => node switch
    {
        BinaryExpressionAst binary => binary.Operator is TokenKind.Imatch or TokenKind.Inotmatch or TokenKind.Cmatch or TokenKind.Cnotmatch,
        SwitchStatementAst switchStatement => (switchStatement.Flags & SwitchFlags.Regex) != 0,
        _ => false,
    };

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

    private static bool IsRef(ITypeName type) =>
        type.Name.Equals("ref", StringComparison.OrdinalIgnoreCase) || type.FullName.EndsWith("PSReference", StringComparison.OrdinalIgnoreCase);

    private static bool IsVariableParameter(string name)
    {
        if (VariableParameterAliases.Contains(name))
        {
            return true;
        }

        foreach (string parameter in VariableParameters)
        {
            if (name.Length >= 4 && parameter.StartsWith(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
