using System;
using System.Collections;
using System.Management.Automation;
using ParallelJobs.Engine;

namespace ParallelJobs.Workers;

/// <summary>
/// One item of a collected batch as <see cref="BatchCollector"/> wrote it: [error, kinds, duration ticks, values…],
/// where kinds spells one letter per value (O output, E error, W warning, V verbose, D debug, I information) and is
/// null when all are output.
/// </summary>
internal static class CollectedEntry
{
    /// <summary>Reports the entry through <paramref name="attempt"/>: its records and output in the order written, then its end.</summary>
    public static void Apply(object? entry, ItemAttempt attempt)
    {
        if ((entry is PSObject pso ? pso.BaseObject : entry) is not IList list || list.Count < 3)
        {
            attempt.Fail(new ErrorRecord(new InvalidOperationException("The worker process wrote an entry this module cannot read."), ErrorIds.WorkerFailed, ErrorCategory.InvalidData, attempt.Input));
            return;
        }

        string? kinds = Unwrap(list[1]) as string;
        if (Unwrap(list[2]) is long ticks)
        {
            attempt.RanFor(TimeSpan.FromTicks(ticks));
        }

        for (int i = 3; i < list.Count; i++)
        {
            object? value = list[i];
            char kind = kinds is null || i - 3 >= kinds.Length ? 'O' : kinds[i - 3];
            switch (kind)
            {
                case 'E' when value is not null:
                    attempt.AddRecord(StreamKind.Error, RemoteRecords.Error(value, attempt.Input));
                    break;
                case 'W' when value is not null:
                    attempt.AddRecord(StreamKind.Warning, new WarningRecord(PSObject.AsPSObject(value)));
                    break;
                case 'V' when value is not null:
                    attempt.AddRecord(StreamKind.Verbose, new VerboseRecord(PSObject.AsPSObject(value)));
                    break;
                case 'D' when value is not null:
                    attempt.AddRecord(StreamKind.Debug, new DebugRecord(PSObject.AsPSObject(value)));
                    break;
                case 'I' when value is not null:
                    attempt.AddRecord(StreamKind.Information, RemoteRecords.Information(value));
                    break;
                default:
                    // As remoting hands output over: each object in a PSObject.
                    attempt.AddOutput(value is null ? null : PSObject.AsPSObject(value));
                    break;
            }
        }

        if (list[0] is not null)
        {
            attempt.Fail(RemoteRecords.Error(list[0]!, attempt.Input));
        }
        else
        {
            attempt.Finish();
        }
    }

    private static object? Unwrap(object? value) => value is PSObject pso ? pso.BaseObject : value;
}
