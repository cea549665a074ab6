using System.Management.Automation;

namespace ParallelJobs.Engine;

/// <summary>What to do with one input item, given its key: run it, refuse it in its place, or replay its logged result.</summary>
internal readonly struct KeyDecision
{
    private KeyDecision(string? key, ErrorRecord? refusal, LogEntry? logged)
    {
        Key = key;
        Refusal = refusal;
        Logged = logged;
    }

    /// <summary>The item's key (null when computing it failed).</summary>
    public string? Key { get; }

    /// <summary>Why the item is not run (its key failed, or another item has it), or null.</summary>
    public ErrorRecord? Refusal { get; }

    /// <summary>The job log's entry for an item that finished in an earlier run (-Resume), or null.</summary>
    public LogEntry? Logged { get; }

    public bool Runs => Refusal is null && Logged is null;

    public static KeyDecision Run(string key) => new(key, null, null);

    public static KeyDecision Refuse(string? key, ErrorRecord refusal) => new(key, refusal, null);

    public static KeyDecision Replay(string key, LogEntry logged) => new(key, null, logged);
}
