using System;
using System.IO;
using System.Management.Automation.Runspaces;
using System.Threading;

namespace ParallelJobs.Remote;

/// <summary>
/// One slot's session. A session this module opened lives as long as the local runspace that ran
/// New-PSSession (closing that runspace closes its sessions), so both are kept and closed together.
/// A session the caller passed with -Session is only borrowed, and given back as it came.
/// </summary>
internal sealed class RemoteConnection : ISessionConnection
{
    private readonly Runspace? _connector;
    private readonly StreamWriter? _sshInput;
    private int _disposed;

    public RemoteConnection(PSSession session, Runspace? connector)
    {
        Session = session;
        _connector = connector;
        _sshInput = SshTransportGuard.Detach(session.Runspace);
    }

    public PSSession Session { get; }

    public Runspace Runspace => Session.Runspace;

    /// <summary>True when this module opened the session, and so closes it.</summary>
    public bool Owned => _connector is not null;

    public bool IsOpen => Runspace.RunspaceStateInfo.State == RunspaceState.Opened;

    /// <summary>Closes a session this module opened; gives a borrowed one back, open if it still is.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_connector is null)
        {
            SshTransportGuard.Release(_sshInput is null ? null : SshTransportGuard.Reattach(Runspace, _sshInput));
            return;
        }

        try
        {
            Session.Runspace.Dispose();
        }
        catch (Exception)
        {
            // Closing a session whose host is gone can fail; the local side is released below anyway.
        }

        _connector.Dispose();
        SshTransportGuard.Release(_sshInput);
    }

    /// <summary>Closes the session without waiting: a session to a host that vanished can take long to close.</summary>
    public void DisposeInBackground()
    {
        if (!Owned)
        {
            Dispose();
            return;
        }

        var thread = new Thread(Dispose) { IsBackground = true, Name = "ParallelJobs close session" };
        thread.Start();
    }
}
