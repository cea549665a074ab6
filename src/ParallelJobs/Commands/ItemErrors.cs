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

    /// <summary>Adds the item to <paramref name="error"/> (once) and returns it.</summary>
    public static ErrorRecord ForItem(ErrorRecord error, ItemResult result)
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
        error.ErrorDetails = new ErrorDetails($"Item {item}: {message}");
        if (action is not null)
        {
            error.ErrorDetails.RecommendedAction = action;
        }

        return error;
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
