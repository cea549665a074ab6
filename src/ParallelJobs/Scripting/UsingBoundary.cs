using System;
using System.Collections.Generic;
using System.Management.Automation.Language;

namespace ParallelJobs.Scripting;

/// <summary>
/// Finds the script blocks inside an item's script that another parallel or remote call will run: their
/// <c>$using:</c> belong to that inner call, which resolves them against the item's own variables.
/// ForEach-Object -Parallel skips only nested ForEach-Object -Parallel blocks; Start-ThreadJob, Start-Job,
/// Invoke-Command to another computer and this module's commands get theirs too, so they see the item's values rather than
/// failing on a caller that lacks the variable. A <c>$using:</c> in any other nested block (<c>&amp; { }</c>,
/// Where-Object) is the outer call's, as in ForEach-Object -Parallel.
/// </summary>
internal static class UsingBoundary
{
    private static readonly HashSet<string> ForEachNames = new(StringComparer.OrdinalIgnoreCase) { "ForEach-Object", "foreach", "%" };

    private static readonly HashSet<string> Boundaries = new(StringComparer.OrdinalIgnoreCase)
    {
        "Start-ThreadJob", "Start-Job", "sajb", "Invoke-ParallelJob", "New-ParallelCall",
    };

    private static readonly HashSet<string> InvokeCommandNames = new(StringComparer.OrdinalIgnoreCase) { "Invoke-Command", "icm" };

    /// <summary>Invoke-Command's parameters that send the block elsewhere; run locally it reads $using: from the outer call.</summary>
    private static readonly string[] RemoteTargets =
    {
        "ComputerName", "Session", "HostName", "SSHConnection", "ContainerId", "VMId", "VMName", "ConnectionUri",
    };

    /// <summary>True when <paramref name="node"/> sits in a script block that a nested parallel or remote call runs.</summary>
    public static bool IsInsideNested(Ast node, Ast root)
    {
        for (Ast? parent = node.Parent; parent is not null && parent != root; parent = parent.Parent)
        {
            if (parent is ScriptBlockExpressionAst block && CommandOf(block) is { } command && IsBoundary(command))
            {
                return true;
            }
        }

        return false;
    }

    private static CommandAst? CommandOf(ScriptBlockExpressionAst block) => block.Parent switch
    {
        CommandAst command => command,
        CommandParameterAst { Parent: CommandAst command } => command,
        _ => null,
    };

    private static bool IsBoundary(CommandAst command)
    {
        string? name = command.GetCommandName();
        if (name is null)
        {
            return false;
        }

        // A module-qualified name (ThreadJob\Start-ThreadJob) is the same command.
        int slash = name.LastIndexOf('\\');
        if (slash >= 0)
        {
            name = name.Substring(slash + 1);
        }

        if (Boundaries.Contains(name))
        {
            return true;
        }

        if (InvokeCommandNames.Contains(name))
        {
            return SendsElsewhere(command);
        }

        if (!ForEachNames.Contains(name))
        {
            return false;
        }

        foreach (CommandElementAst element in command.CommandElements)
        {
            // -Pa is the shortest unambiguous prefix of -Parallel among ForEach-Object's parameters.
            if (element is CommandParameterAst parameter && parameter.ParameterName.Length >= 2
                && "Parallel".StartsWith(parameter.ParameterName, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool SendsElsewhere(CommandAst command)
    {
        try
        {
            // The binder knows Invoke-Command's positions and aliases (Invoke-Command server { }, -cn).
            StaticBindingResult binding = StaticParameterBinder.BindCommand(command, resolve: true);
            foreach (string target in RemoteTargets)
            {
                if (binding.BoundParameters.ContainsKey(target))
                {
                    return true;
                }
            }

            return false;
        }
        catch (Exception)
        {
            // No runspace to look the command up in: judge by the parameter names written out.
            foreach (CommandElementAst element in command.CommandElements)
            {
                if (element is CommandParameterAst parameter && parameter.ParameterName.Length >= 2
                    && (Array.Exists(RemoteTargets, t => t.StartsWith(parameter.ParameterName, StringComparison.OrdinalIgnoreCase))
                        || parameter.ParameterName.Equals("cn", StringComparison.OrdinalIgnoreCase)))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
