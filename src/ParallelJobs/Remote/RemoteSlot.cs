using System.Management.Automation.Runspaces;

namespace ParallelJobs.Remote;

internal enum SlotState
{
    /// <summary>No worker uses it yet.</summary>
    Free,

    /// <summary>A worker owns it (connecting or running items).</summary>
    Bound,

    /// <summary>Its connection failed or broke for good; nobody uses it again.</summary>
    Dead,
}

/// <summary>
/// One place on a host where one item runs at a time: its own SSH connection, so its own remote
/// PowerShell process (a remote runspace pool is not supported over SSH).
/// </summary>
internal sealed class RemoteSlot
{
    public RemoteSlot(RemoteHost host, int number, PSSession? givenSession = null)
    {
        Host = host;
        Number = number;
        GivenSession = givenSession;
    }

    public RemoteHost Host { get; }

    /// <summary>1-based number within its host, for messages.</summary>
    public int Number { get; }

    /// <summary>A session the caller opened (-Session): used as it is, never closed or replaced.</summary>
    public PSSession? GivenSession { get; }

    /// <summary>Guarded by the factory's lock.</summary>
    public SlotState State { get; set; }

    public override string ToString() => $"{Host.Name} slot {Number}";
}
