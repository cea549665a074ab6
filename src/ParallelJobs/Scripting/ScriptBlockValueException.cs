using System.Management.Automation;

namespace ParallelJobs.Scripting;

/// <summary>A value bound for a worker holds a script block (see <see cref="ScriptBlockValues"/>).</summary>
internal sealed class ScriptBlockValueException : RuntimeException
{
    public const string ErrorId = Engine.ErrorIds.ScriptBlockValueNotSupported;

    private readonly object? _target;
    private ErrorRecord? _record;

    public ScriptBlockValueException(string what, string where, object? target)
        : base($"{what}{(where.Length == 0 ? " is" : " holds at " + where)} a script block. A script block belongs to the session that created it " +
               "and cannot run in a worker. Pass its text instead and call [scriptblock]::Create() inside the item, " +
               "or define a function and pass it with -Function.")
    {
        _target = target;
    }

    public override ErrorRecord ErrorRecord => _record ??= new ErrorRecord(this, ErrorId, ErrorCategory.InvalidArgument, _target);
}
