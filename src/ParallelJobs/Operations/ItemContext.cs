using System.Management.Automation;
using ParallelJobs.Engine;

namespace ParallelJobs.Operations;

/// <summary>What an operation may do besides returning output: write stream records and add new items.</summary>
internal sealed class ItemContext
{
    private readonly ItemAttempt _attempt;
    private readonly RunContext _run;

    public ItemContext(ItemAttempt attempt, RunContext run)
    {
        _attempt = attempt;
        _run = run;
    }

    public long Index => _attempt.Index;

    public void WriteWarning(string message) => _attempt.AddRecord(StreamKind.Warning, new WarningRecord(message));

    public void WriteVerbose(string message) => _attempt.AddRecord(StreamKind.Verbose, new VerboseRecord(message));

    public void WriteError(ErrorRecord error) => _attempt.AddRecord(StreamKind.Error, error);

    /// <summary>Any stream record (debug, information) of a script the operation ran.</summary>
    public void WriteRecord(StreamKind kind, object record) => _attempt.AddRecord(kind, record);

    /// <summary>Hands a new item back to the same run (a crawler's next page); it gets the next index.</summary>
    public long Add(object? input, object? task = null) => _run.Refill(input, task);
}
