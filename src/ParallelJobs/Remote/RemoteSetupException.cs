using System;

namespace ParallelJobs.Remote;

/// <summary>
/// A session opened but could not be prepared for the run (a module missing on the host, a failing
/// initialization script). It would fail the same way on every slot of that host.
/// </summary>
internal sealed class RemoteSetupException : Exception
{
    public RemoteSetupException(string errorId, string message, Exception? inner)
        : base(message, inner)
    {
        ErrorId = errorId;
    }

    public string ErrorId { get; }
}
