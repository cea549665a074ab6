using System;
using System.Management.Automation;

namespace ParallelJobs.Operations;

/// <summary>An operation's per-item failure, with a stable error id and category for its ErrorRecord.</summary>
internal sealed class ItemOperationException : Exception
{
    public ItemOperationException(string errorId, ErrorCategory category, string message, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Category = category;
    }

    public string ErrorId { get; }

    public ErrorCategory Category { get; }
}
