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

    /// <summary>False when another attempt cannot help (a 404, a bad URI): -RetryCount then skips the item.</summary>
    public bool Retryable { get; set; } = true;

    /// <summary>The least time to wait before the next attempt (an HTTP Retry-After), or null.</summary>
    public TimeSpan? RetryAfter { get; set; }
}
