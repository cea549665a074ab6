using System.Management.Automation;

namespace ParallelJobs;

/// <summary>
/// A deferred call, like joblib's <c>delayed(f)(x)</c>: a script block and the arguments to run it with.
/// Made by New-ParallelCall and run by Invoke-ParallelJob when no -ScriptBlock is given.
/// </summary>
public sealed class ParallelCall
{
    public ParallelCall(ScriptBlock scriptBlock, object?[]? argumentList)
    {
        ScriptBlock = scriptBlock;
        ArgumentList = argumentList ?? new object?[0];
    }

    public ScriptBlock ScriptBlock { get; }

    public object?[] ArgumentList { get; }

    public override string ToString() => $"{{{ScriptBlock}}} {string.Join(" ", ArgumentList)}";
}
