using System;
using System.Management.Automation.Runspaces;

namespace ParallelJobs.Remote;

/// <summary>
/// What a <see cref="RemoteSession"/> runs on: a runspace in another process, reached over SSH
/// (<see cref="RemoteConnection"/>) or through a local child process (<c>Process.ProcessConnection</c>).
/// </summary>
internal interface ISessionConnection : IDisposable
{
    Runspace Runspace { get; }

    /// <summary>True when this module opened the connection, and so closes it.</summary>
    bool Owned { get; }

    bool IsOpen { get; }

    /// <summary>Closes the connection without waiting for it.</summary>
    void DisposeInBackground();
}
