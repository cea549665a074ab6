using System.Management.Automation;

namespace ParallelJobs.Scripting;

/// <summary>A <c>$using:</c> variable is not defined in the caller: the call stops before any item runs.</summary>
internal sealed class UsingVariableUndefinedException : RuntimeException
{
    public const string ErrorId = Engine.ErrorIds.UsingVariableIsUndefined;

    private ErrorRecord? _record;

    public UsingVariableUndefinedException(string usingText, string variableName)
        : base($"The value of the using variable '{usingText}' cannot be retrieved because the variable '{variableName}' is not set in the caller's session. " +
               "Define it before the call, or check its name.")
    {
        UsingText = usingText;
        VariableName = variableName;
    }

    public override ErrorRecord ErrorRecord => _record ??= new ErrorRecord(this, ErrorId, ErrorCategory.ObjectNotFound, VariableName);

    public string UsingText { get; }

    public string VariableName { get; }
}
