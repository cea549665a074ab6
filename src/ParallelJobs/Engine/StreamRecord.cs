namespace ParallelJobs.Engine;

/// <summary>A record an item wrote to a stream other than output, kept for replay on the pipeline thread.</summary>
internal readonly struct StreamRecord
{
    public StreamRecord(StreamKind kind, object record)
    {
        Kind = kind;
        Record = record;
    }

    public StreamKind Kind { get; }

    public object Record { get; }
}
