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

    /// <summary>
    /// The same script shaped to run a whole batch in one scope (see <see cref="SharedScopeAnalyzer"/>),
    /// or null when every item needs a scope of its own.
    /// </summary>
    public string? SharedScopeText { get; set; }

    /// <summary>
    /// <see cref="Text"/> shaped to hand each output object on as it is written (worker runspaces only: the
    /// receiving type exists only in this process, so remote hosts and -Sequential run <see cref="Text"/>).
    /// </summary>
    public string? StreamingText { get; set; }

    /// <summary>
    /// <see cref="Text"/> with its body called (<c>&amp;</c>), for the hosts and worker processes that run the text
    /// with InvokeWithContext: a called block keeps its variables in compiled slots (see ScriptTaskBuilder).
    /// </summary>
    public string? CalledText { get; set; }

    /// <summary>
    /// The text is not the caller's script with only $using: rewritten: its shape (named blocks,
    /// [CmdletBinding()], a top-level break or exit) is wrapped, so the caller's own block cannot stand in for it.
    /// </summary>
    public bool Reshaped { get; set; }

    /// <summary>
    /// True when the script cannot change its runspace's global state (see <see cref="SharedScopeAnalyzer.LeavesSessionAlone"/>):
    /// the worker then skips the check for leftovers after it. False, the safe side, unless the builder says so.
    /// </summary>
    public bool LeavesSessionAlone { get; set; }

    /// <summary>Variables the shared-scope script clears before each item.</summary>
    public string[] SharedScopeResets { get; set; } = System.Array.Empty<string>();
}
