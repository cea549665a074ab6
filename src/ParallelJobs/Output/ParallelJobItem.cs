namespace ParallelJobs;

/// <summary>
/// The item an error came from, added to every error a parallel item raises as its ParallelJobItem
/// property, so a user can tell which item failed.
/// </summary>
public sealed class ParallelJobItem
{
    public ParallelJobItem(long index, object? input, string? host = null)
    {
        Index = index;
        Input = input;
        Host = host;
    }

    /// <summary>Zero-based position of the item in the input.</summary>
    public long Index { get; }

    /// <summary>The input object itself.</summary>
    public object? Input { get; }

    /// <summary>The remote host that ran the item, or null when it ran locally.</summary>
    public string? Host { get; }

    public override string ToString()
    {
        string text = Engine.ItemLabel.For(Input);
        return Host is null ? $"[{Index}] {text}" : $"[{Index}@{Host}] {text}";
    }
}
