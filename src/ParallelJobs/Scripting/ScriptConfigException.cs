using System;
using System.Management.Automation;

namespace ParallelJobs.Scripting;

/// <summary>
/// The script configuration cannot be built from the given parameters. Carries the error record's id,
/// category and target, so the cmdlet turns it into the same terminating error it always wrote.
/// </summary>
internal sealed class ScriptConfigException : Exception
{
    public ScriptConfigException(string errorId, ErrorCategory category, object? target, Exception inner)
        : base(inner.Message, inner)
    {
        ErrorId = errorId;
        Category = category;
        Target = target;
    }

    public string ErrorId { get; }

    public ErrorCategory Category { get; }

    public object? Target { get; }

    public ErrorRecord ToErrorRecord() => new(InnerException!, ErrorId, Category, Target);
}
