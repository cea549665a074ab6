using System.Management.Automation;
using ParallelJobs.Engine;

namespace ParallelJobs.Operations;

/// <summary>What an operation may do besides returning output: write stream records and add new items.</summary>
internal sealed class ItemContext
{
    private readonly ItemResult _result;
    private readonly Dispatcher _dispatcher;

    public ItemContext(ItemResult result, Dispatcher dispatcher)
    {
        _result = result;
        _dispatcher = dispatcher;
    }

    public long Index => _result.Index;

    public void WriteWarning(string message) => _result.AddRecord(StreamKind.Warning, new WarningRecord(message));

    public void WriteVerbose(string message) => _result.AddRecord(StreamKind.Verbose, new VerboseRecord(message));

    public void WriteError(ErrorRecord error) => _result.AddRecord(StreamKind.Error, error);

    /// <summary>Hands a new item back to the same run (a crawler's next page); it gets the next index.</summary>
    public long Add(object? input, object? task = null) => _dispatcher.AddRefill(input, task).Index;
}
