using System;
using System.Management.Automation;
using System.Reflection;
using ParallelJobs.Engine;

namespace ParallelJobs.Workers;

/// <summary>Records a worker process serialized, rebuilt as remoting rebuilds the records it streams.</summary>
internal static class RemoteRecords
{
    private static readonly MethodInfo? ErrorFromRemote = typeof(ErrorRecord).GetMethod(
        "FromPSObjectForRemoting", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(PSObject) }, null);

    private static readonly MethodInfo? InformationFromRemote = typeof(InformationRecord).GetMethod(
        "FromPSObjectForRemoting", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(PSObject) }, null);

    /// <summary>An error as the process wrote it: rebuilt as an ErrorRecord, or its text when it cannot be.</summary>
    public static ErrorRecord Error(object error, object? input)
    {
        if (error is ErrorRecord record)
        {
            return record;
        }

        if (error is PSObject pso && Rebuild(ErrorFromRemote, pso) is ErrorRecord rebuilt)
        {
            return rebuilt;
        }

        return new ErrorRecord(new RuntimeException(error.ToString()), ErrorIds.ItemFailed, ErrorCategory.NotSpecified, input);
    }

    public static InformationRecord Information(object record)
    {
        if (record is InformationRecord information)
        {
            return information;
        }

        var pso = PSObject.AsPSObject(record);
        return Rebuild(InformationFromRemote, pso) as InformationRecord
            ?? new InformationRecord(pso.Properties["MessageData"]?.Value, pso.Properties["Source"]?.Value as string);
    }

    private static object? Rebuild(MethodInfo? method, PSObject pso)
    {
        if (method is null)
        {
            return null;
        }

        try
        {
            return method.Invoke(null, new object[] { pso });
        }
        catch (Exception)
        {
            // The caller falls back.
            return null;
        }
    }
}
