namespace ParallelJobs.Engine;

/// <summary>A record shown as soon as the pipeline thread sees it, not in item order.</summary>
internal sealed class LiveRecord
{
    public LiveRecord(long index, StreamKind kind, object record)
    {
        Index = index;
        Kind = kind;
        Record = record;
    }

    public long Index { get; }

    public StreamKind Kind { get; }

    public object Record { get; }
}
