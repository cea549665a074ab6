using System.Management.Automation;
using ParallelJobs.Engine;

namespace ParallelJobs.Commands;

/// <summary>
/// Writes finished items to the pipeline, on the pipeline thread: first the records of the other
/// streams in the order the item wrote them, then its output, then the error that ended it, if any.
/// Every error is re-targeted at the item, so the user can tell which one failed.
/// </summary>
internal sealed class PipelineWriter : IResultWriter
{
    private readonly Cmdlet _cmdlet;

    public PipelineWriter(Cmdlet cmdlet)
    {
        _cmdlet = cmdlet;
    }

    public void Write(ItemResult result)
    {
        if (result.Records is not null)
        {
            foreach (StreamRecord record in result.Records)
            {
                WriteRecord(record.Kind, record.Record, result);
            }
        }

        if (result.Output is not null)
        {
            foreach (object? output in result.Output)
            {
                _cmdlet.WriteObject(output);
            }
        }

        if (result.Failure is not null)
        {
            _cmdlet.WriteError(ForItem(result.Failure, result));
        }
    }

    public void WriteLive(LiveRecord record) => WriteRecord(record.Kind, record.Record, null);

    /// <summary>A copy of <paramref name="error"/> whose target is the item, and whose message names it.</summary>
    public static ErrorRecord ForItem(ErrorRecord error, ItemResult result)
    {
        var target = new ParallelJobItem(result.Index, result.Item.Input, result.HostName);
        var copy = new ErrorRecord(error.Exception, StripCommandSuffix(error.FullyQualifiedErrorId), error.CategoryInfo.Category, target);
        string message = error.ErrorDetails?.Message ?? error.Exception.Message;
        copy.ErrorDetails = new ErrorDetails($"Item {target}: {message}");
        if (error.ErrorDetails?.RecommendedAction is { } action)
        {
            copy.ErrorDetails.RecommendedAction = action;
        }

        return copy;
    }

    private void WriteRecord(StreamKind kind, object record, ItemResult? result)
    {
        switch (kind)
        {
            case StreamKind.Error:
                var error = (ErrorRecord)record;
                _cmdlet.WriteError(result is null ? error : ForItem(error, result));
                break;
            case StreamKind.Warning:
                _cmdlet.WriteWarning(((WarningRecord)record).Message);
                break;
            case StreamKind.Verbose:
                _cmdlet.WriteVerbose(((VerboseRecord)record).Message);
                break;
            case StreamKind.Debug:
                _cmdlet.WriteDebug(((DebugRecord)record).Message);
                break;
            case StreamKind.Information:
                _cmdlet.WriteInformation((InformationRecord)record);
                break;
            case StreamKind.Progress:
                _cmdlet.WriteProgress((ProgressRecord)record);
                break;
        }
    }

    private static string StripCommandSuffix(string fullyQualifiedErrorId)
    {
        // "Id,Command" from the worker would otherwise grow a second command name when written again.
        int comma = fullyQualifiedErrorId.IndexOf(',');
        return comma > 0 ? fullyQualifiedErrorId.Substring(0, comma) : fullyQualifiedErrorId;
    }
}
