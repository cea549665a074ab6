using System.Management.Automation;

namespace ParallelJobs.Scripting;

/// <summary>A <c>$using:</c> value holds a script block (see <see cref="ScriptBlockValues"/>): the call stops, as ForEach-Object -Parallel's does.</summary>
internal sealed class UsingScriptBlockException : RuntimeException
{
    public UsingScriptBlockException(string name, string where = "")
        : base($"The variable '$using:{name}'{(where.Length == 0 ? " holds" : " holds at " + where)} a script block. A script block belongs to the runspace that created it " +
               "and cannot run in a worker. Pass its text instead and call [scriptblock]::Create() inside the item, " +
               "or define a function and pass it with -Function.")
    {
        VariableName = name;
    }

    public string VariableName { get; }
}
