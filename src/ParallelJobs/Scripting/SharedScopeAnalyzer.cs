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

    /// <summary>
    /// Whether a shared-scope batch may clear <paramref name="resets"/> before each item: clearing one that also exists as
    /// a global would hide the global from the item ($Matches, which PowerShell sets itself, excepted).
    /// </summary>
    public static bool FitsBeside(IEnumerable<string> resets, Func<string, bool> isGlobal)
    {
        foreach (string name in resets)
        {
            if (!name.Equals("Matches", StringComparison.OrdinalIgnoreCase) && isGlobal(name))
            {
                return false;
            }
        }

        return true;
    }

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

    /// <summary>
    /// True when the script cannot change its runspace's global state, so the worker skips the check between
    /// items after it. Without a command, a scoped or drive-qualified variable, the engine's automatic objects,
    /// reflection or a script block made from text, a script reaches nothing but its own scope and the objects
    /// it is given. Anything in doubt counts as a possible change: that only costs the check.
    /// </summary>
    public static bool LeavesSessionAlone(ScriptBlockAst ast)
    {
        if (ast.UsingStatements.Count > 0 || ast.ScriptRequirements is not null)
        {
            return false;
        }

        foreach (Ast node in ast.FindAll(_ => true, searchNestedScriptBlocks: true))
        {
            if (!IsInert(node))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsInert(Ast node)
    {
        switch (node)
        {
            case CommandAst:
            case TypeDefinitionAst:
            case DynamicKeywordStatementAst:
            case ConfigurationDefinitionAst:
                return false;
            case FunctionDefinitionAst function:
                // function global:f {} outlives the item; an unscoped one stays in the item's scope.
                return function.Name.IndexOf(':') < 0;
            case VariableExpressionAst variable:
                return variable.Parent is UsingExpressionAst || IsInertVariable(variable.VariablePath);
            case InvokeMemberExpressionAst call:
                return call.Member is StringConstantExpressionAst { Value: { } name } && !RunsCode(name, call)
                    && (!call.Static || call.Expression is TypeExpressionAst);
            case MemberExpressionAst member:
                // [type]::Member only on a type named in the script (which must be a pure one, below).
                return !member.Static || member.Expression is TypeExpressionAst;
            case TypeExpressionAst type:
                return type.Parent is BinaryExpressionAst { Operator: TokenKind.Is or TokenKind.IsNot } || IsPureType(type.TypeName);
            case ConvertExpressionAst convert:
                return IsPureType(convert.Type.TypeName);
            case TypeConstraintAst constraint:
                return IsPureType(constraint.TypeName);
            case BinaryExpressionAst { Operator: TokenKind.As } asOperator:
                return asOperator.Right is TypeExpressionAst;
            default:
                return true;
        }
    }

    private static bool IsInertVariable(VariablePath path)
    {
        if (path.IsGlobal || path.IsScript || (path.IsDriveQualified && !path.DriveName.Equals("env", StringComparison.OrdinalIgnoreCase)))
        {
            // $global:, $script:, ${function:f}, $variable:x, $alias:x: beyond the item's scope ($env: is the process's).
            return false;
        }

        string name = path.UserPath;
        int colon = name.IndexOf(':');
        name = colon >= 0 ? name.Substring(colon + 1) : name;
        return !EngineVariables.Contains(name);
    }

    /// <summary>Methods that run code or reach members by reflection, and so could reach the runspace.</summary>
    private static bool RunsCode(string name, InvokeMemberExpressionAst call)
    {
        if (name.IndexOf("Invoke", StringComparison.OrdinalIgnoreCase) >= 0 || ReflectionMethods.Contains(name))
        {
            return true;
        }

        if (name.Equals("ForEach", StringComparison.OrdinalIgnoreCase) || name.Equals("Where", StringComparison.OrdinalIgnoreCase))
        {
            // .ForEach('Name') calls a method by name; with a script block literal its body is analyzed too.
            foreach (ExpressionAst argument in call.Arguments ?? (IEnumerable<ExpressionAst>)Array.Empty<ExpressionAst>())
            {
                if (argument is not ScriptBlockExpressionAst)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Types whose static members, constructors and conversions touch no runspace.</summary>
    private static bool IsPureType(ITypeName name)
    {
        if (name.FullName.Equals("ordered", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        try
        {
            return name.GetReflectionType() is { } type && IsPureType(type);
        }
        catch (Exception)
        {
            return false;
        }
    }

    private static bool IsPureType(Type type)
    {
        if (type.IsArray)
        {
            return IsPureType(type.GetElementType()!);
        }

        if (type.IsGenericType)
        {
            if (!PureGenerics.Contains(type.GetGenericTypeDefinition()))
            {
                return false;
            }

            foreach (Type argument in type.GetGenericArguments())
            {
                if (!IsPureType(argument))
                {
                    return false;
                }
            }

            return true;
        }

        return type.IsEnum || PureTypes.Contains(type);
    }

    private static readonly HashSet<string> EngineVariables = new(StringComparer.OrdinalIgnoreCase)
    {
        "ExecutionContext", "PSCmdlet", "Host",
    };

    private static readonly HashSet<string> ReflectionMethods = new(StringComparer.OrdinalIgnoreCase)
    {
        "GetType", "GetMethod", "GetMethods", "GetProperty", "GetProperties", "GetField", "GetFields", "GetMember", "GetMembers",
        "GetConstructor", "GetConstructors", "GetValue", "SetValue", "GetGetMethod", "GetSetMethod", "CreateInstance", "CreateDelegate",
        "GetSteppablePipeline", "GetNewClosure", "GetInterface", "GetInterfaces", "GetNestedType", "GetNestedTypes", "GetEvent", "GetEvents",
        "MakeGenericType", "MakeGenericMethod", "GetRuntimeMethod", "GetRuntimeMethods", "GetRuntimeProperty", "GetRuntimeProperties",
        "GetRuntimeField", "GetRuntimeFields", "GetTypes", "GetExportedTypes", "ResolveMethod", "ResolveMember", "ResolveField", "ResolveType",
        "AddScript", "AddCommand", "Begin", "Process", "End",
    };

    private static readonly HashSet<Type> PureTypes = new()
    {
        typeof(object), typeof(string), typeof(char), typeof(bool), typeof(byte), typeof(sbyte), typeof(short), typeof(ushort),
        typeof(int), typeof(uint), typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal),
        typeof(System.Numerics.BigInteger), typeof(DateTime), typeof(DateTimeOffset), typeof(TimeSpan), typeof(Guid), typeof(Version),
        typeof(Math), typeof(Convert), typeof(BitConverter), typeof(System.Text.RegularExpressions.Regex), typeof(System.Text.StringBuilder),
        typeof(System.IO.Path), typeof(PSObject), typeof(PSCustomObject), typeof(System.Collections.Hashtable),
        typeof(System.Collections.Specialized.OrderedDictionary), typeof(System.Collections.ArrayList), typeof(Array), typeof(void),
        typeof(SwitchParameter), typeof(System.Collections.IDictionary), typeof(System.Collections.IEnumerable),
    };

    private static readonly HashSet<Type> PureGenerics = new()
    {
        typeof(List<>), typeof(Dictionary<,>), typeof(HashSet<>), typeof(Queue<>), typeof(Stack<>), typeof(SortedDictionary<,>),
        typeof(KeyValuePair<,>), typeof(Nullable<>),
    };

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
