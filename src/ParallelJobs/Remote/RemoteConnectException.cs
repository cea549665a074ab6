using System;

namespace ParallelJobs.Remote;

/// <summary>A session could not be opened, or broke: the host may be down or unreachable.</summary>
internal sealed class RemoteConnectException : Exception
{
    public RemoteConnectException(string message, Exception? inner)
        : base(message, inner)
    {
    }
}
