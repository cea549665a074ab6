using System;

namespace ParallelJobs.Engine;

/// <summary>The job log cannot be used as asked; the message says why and what to do.</summary>
internal sealed class JobLogException : Exception
{
    public JobLogException(string errorId, string message, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
    }

    public string ErrorId { get; }
}
