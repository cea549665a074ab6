using System.Collections.Generic;
using System.Threading;

namespace ParallelJobs.Remote;

/// <summary>Why a host stopped taking items.</summary>
internal enum HostLoss
{
    None,
    Unreachable,
    Lost,
    SetupFailed,
}

/// <summary>One remote host of a run and its slots. Mutable state is guarded by the factory's lock.</summary>
internal sealed class RemoteHost
{
    /// <summary>At most this many connections to one host are being opened at once: sshd's MaxStartups drops more.</summary>
    private const int ConcurrentConnects = 8;

    public RemoteHost(string name, RemoteTarget? target)
    {
        Name = name;
        Target = target;
    }

    /// <summary>The name results carry in Host, and messages use.</summary>
    public string Name { get; }

    /// <summary>How to open connections; null for a host reached only through the caller's sessions.</summary>
    public RemoteTarget? Target { get; }

    public List<RemoteSlot> Slots { get; } = new();

    public SemaphoreSlim ConnectGate { get; } = new(ConcurrentConnects);

    /// <summary>How many slots hold an open, prepared session right now.</summary>
    public int Connected { get; set; }

    public HostLoss Loss { get; set; }

    public bool IsDown => Loss != HostLoss.None;
}
