namespace ParallelJobs.Scripting;

/// <summary>
/// A script ready to run in any worker runspace: its text (with <c>$using:</c> rewritten to plain
/// variables), the values of those variables taken from the caller, and the arguments.
/// </summary>
internal sealed class ScriptTask
{
    public ScriptTask(string text, string[] usingNames, object?[] usingValues, object?[] arguments)
    {
        Text = text;
        UsingNames = usingNames;
        UsingValues = usingValues;
        Arguments = arguments;
    }

    public string Text { get; }

    public string[] UsingNames { get; }

    public object?[] UsingValues { get; }

    public object?[] Arguments { get; }
}
