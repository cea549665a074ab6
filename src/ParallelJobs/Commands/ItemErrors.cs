using System;
using System.Management.Automation;
using System.Reflection;
using ParallelJobs.Engine;

namespace ParallelJobs.Commands;

/// <summary>
/// Marks an error with the item it came from, without changing what the item made: its exception,
/// FullyQualifiedErrorId, TargetObject and invocation stay as they are, so <c>catch [IOException]</c>,
/// <c>-ErrorId</c> checks and <c>$_.TargetObject</c> work as in ForEach-Object -Parallel. The item travels
/// as an added property, <c>ParallelJobItem</c> (as Invoke-Command adds PSComputerName), and its label
/// starts the message the default error view shows.
/// </summary>
internal static class ItemErrors
{
    /// <summary>The name of the note property that carries the item.</summary>
    public const string PropertyName = "ParallelJobItem";

    // ErrorRecord.PreserveInvocationInfoOnce (internal since Windows PowerShell 1): what Receive-Job and
    // ForEach-Object -Parallel set so that WriteError keeps the record's own invocation, and with it its
    // error id without this command's name appended. Looked up once; without it the id gets the suffix.
    private static readonly PropertyInfo? s_preserveInvocation =
        typeof(ErrorRecord).GetProperty("PreserveInvocationInfoOnce", BindingFlags.Instance | BindingFlags.NonPublic);

    /// <summary>
    /// Adds the item to <paramref name="error"/> (once) and returns it. A command the item did not find that
    /// is a function in the caller's session (<paramref name="functions"/>) gets a hint that names -Function.
    /// </summary>
    public static ErrorRecord ForItem(ErrorRecord error, ItemResult result, CallerFunctions? functions = null)
    {
        PSObject wrapper = PSObject.AsPSObject(error);
        if (wrapper.Properties[PropertyName] is not null)
        {
            return error;
        }

        var item = new ParallelJobItem(result.Index, result.Item.Input, result.HostName);
        wrapper.Properties.Add(new PSNoteProperty(PropertyName, item));
        string message = error.ErrorDetails?.Message is { Length: > 0 } details ? details : error.Exception.Message;
        string? action = error.ErrorDetails?.RecommendedAction;
        if (functions is not null && MissingCommand(error) is { } name && functions.IsFunction(name))
        {
            // The exception and its id stay PowerShell's; only the text the user reads says what to do.
            message += $" '{name}' is a function in your session, which items do not see: add -Function {name}.";
            string hint = $"Items run in worker runspaces of their own; -Function {name} defines the function in each of them (or define it in -InitializationScript).";
            action = string.IsNullOrEmpty(action) ? hint : action + " " + hint;
        }

        error.ErrorDetails = new ErrorDetails($"Item {item}: {message}");
        if (action is not null)
        {
            error.ErrorDetails.RecommendedAction = action;
        }

        return error;
    }

    /// <summary>The name of the command an item did not find (locally, or as a remote error), or null.</summary>
    private static string? MissingCommand(ErrorRecord error)
    {
        if (error.Exception is CommandNotFoundException notFound && !string.IsNullOrEmpty(notFound.CommandName))
        {
            return notFound.CommandName;
        }

        return error.FullyQualifiedErrorId.StartsWith("CommandNotFoundException", StringComparison.Ordinal)
            && error.TargetObject is string { Length: > 0 } target ? target : null;
    }

    /// <summary>
    /// Before WriteError: a record that already says where it was raised (in the item's script) keeps that,
    /// as ForEach-Object -Parallel's do. Records the engine made itself get this command's invocation.
    /// </summary>
    public static ErrorRecord KeepOrigin(ErrorRecord error)
    {
        if (error.InvocationInfo is not null && s_preserveInvocation is not null)
        {
            try
            {
                s_preserveInvocation.SetValue(error, true);
            }
            catch (Exception)
            {
                // A PowerShell without the flag: the id then carries this command's name.
            }
        }

        return error;
    }
}
