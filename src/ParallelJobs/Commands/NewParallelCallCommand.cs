using System.Management.Automation;

namespace ParallelJobs.Commands;

/// <summary>New-ParallelCall: joblib's delayed(f)(x), a script block with its arguments, run later.</summary>
[Cmdlet(VerbsCommon.New, "ParallelCall")]
[OutputType(typeof(ParallelCall))]
public sealed class NewParallelCallCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    [Parameter(Position = 1, ValueFromRemainingArguments = true)]
    [Alias("Args")]
    public object?[]? ArgumentList { get; set; }

    protected override void EndProcessing() => WriteObject(new ParallelCall(ScriptBlock, ArgumentList));
}
