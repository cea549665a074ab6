using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ParallelJobs.Engine;

namespace ParallelJobs.Commands;

/// <summary>
/// Writes finished items to the pipeline, on the pipeline thread: first the records of the other
/// streams in the order the item wrote them, then its output, then the error that ended it, if any.
/// Every error is marked with its item (<see cref="ItemErrors"/>), so the user can tell which one failed. With -AsResult each
/// item becomes one <see cref="ParallelJobResult"/> and its errors travel inside it.
/// </summary>
internal sealed class PipelineWriter : IResultWriter
{
    private readonly IStreamTarget _runtime;
    private readonly bool _asResult;
    private readonly CallerFunctions? _functions;

    /// <param name="functions">The caller's functions, for the -Function hint on a command an item did not find.</param>
    public PipelineWriter(IStreamTarget runtime, bool asResult, CallerFunctions? functions = null)
    {
        _runtime = runtime;
        _asResult = asResult;
        _functions = functions;
    }

    public void Write(ItemResult result)
    {
        if (result.Records is not null)
        {
            foreach (StreamRecord record in result.Records)
            {
                if (!(_asResult && record.Kind == StreamKind.Error))
                {
                    WriteRecord(record.Kind, record.Record, result);
                }
            }
        }

        if (_asResult)
        {
            if (result.Failure is not null)
            {
                _runtime.CountItemFailure();
            }

            _runtime.WriteObject(ToResult(result, _functions));
            return;
        }

        if (result.Output is { } output)
        {
            // By index: foreach over an IList would allocate an enumerator for every item.
            for (int i = 0; i < output.Count; i++)
            {
                _runtime.WriteObject(output[i]);
            }
        }

        if (result.Failure is not null)
        {
            _runtime.WriteItemFailure(ItemErrors.KeepOrigin(ItemErrors.ForItem(result.Failure, result, _functions)));
        }
    }

    public void WritePart(LivePart part)
    {
        if (part.Records is not null)
        {
            foreach (StreamRecord record in part.Records)
            {
                WriteRecord(record.Kind, record.Record, part.Item);
            }
        }

        if (part.Output is { } output)
        {
            for (int i = 0; i < output.Count; i++)
            {
                _runtime.WriteObject(output[i]);
            }
        }
    }

    public void WriteLive(LiveRecord record)
    {
        if (record.Kind == StreamKind.Progress && record.Index >= 0)
        {
            _runtime.WriteProgress(AsChild((ProgressRecord)record.Record, record.Index));
            return;
        }

        WriteRecord(record.Kind, record.Record, null);
    }

    public static ParallelJobResult ToResult(ItemResult result, CallerFunctions? functions = null)
    {
        var errors = new List<ErrorRecord>();
        if (result.Records is not null)
        {
            errors.AddRange(result.Records.Where(r => r.Kind == StreamKind.Error).Select(r => ItemErrors.ForItem((ErrorRecord)r.Record, result, functions)));
        }

        if (result.Failure is not null)
        {
            errors.Add(ItemErrors.ForItem(result.Failure, result, functions));
        }

        object?[] output = result.Output?.Cast<object?>().ToArray() ?? Array.Empty<object?>();
        return new ParallelJobResult(result.Index, result.Item.Input, output, errors.ToArray(), result.Status, result.Attempts, result.StartTime, result.Duration, result.LastAttemptDuration, result.HostName);
    }

    private void WriteRecord(StreamKind kind, object record, ItemResult? result)
    {
        switch (kind)
        {
            case StreamKind.Error:
                var error = (ErrorRecord)record;
                _runtime.WriteError(ItemErrors.KeepOrigin(result is null ? error : ItemErrors.ForItem(error, result, _functions)));
                break;
            case StreamKind.Warning:
                _runtime.WriteWarning(((WarningRecord)record).Message);
                break;
            case StreamKind.Verbose:
                _runtime.WriteVerbose(((VerboseRecord)record).Message);
                break;
            case StreamKind.Debug:
                _runtime.WriteDebug(((DebugRecord)record).Message);
                break;
            case StreamKind.Information:
                _runtime.WriteInformation((InformationRecord)record);
                break;
            case StreamKind.Progress:
                _runtime.WriteProgress((ProgressRecord)record);
                break;
        }
    }

    /// <summary>An item's progress record, shown under the run's bar with an id no other item uses.</summary>
    private static ProgressRecord AsChild(ProgressRecord record, long index)
    {
        int id = ProgressReporter.ActivityId + 1 + (int)((index * 16 + (record.ActivityId & 15)) % 1_000_000);
        return new ProgressRecord(id, record.Activity, record.StatusDescription)
        {
            ParentActivityId = ProgressReporter.ActivityId,
            CurrentOperation = record.CurrentOperation,
            PercentComplete = record.PercentComplete,
            SecondsRemaining = record.SecondsRemaining,
            RecordType = record.RecordType,
        };
    }
}
