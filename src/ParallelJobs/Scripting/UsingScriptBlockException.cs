using System.Management.Automation;

namespace ParallelJobs.Scripting;

/// <summary>A <c>$using:</c> variable holds a script block, which cannot run outside the caller's runspace.</summary>
internal sealed class UsingScriptBlockException : RuntimeException
{
    public UsingScriptBlockException(string name)
        : base($"The variable '$using:{name}' holds a script block. A script block belongs to the runspace that created it " +
               "and cannot run in a worker. Pass its text instead and call [scriptblock]::Create() inside the item, " +
               "or define a function and pass it with -Function.")
    {
        VariableName = name;
    }

    public string VariableName { get; }
}
