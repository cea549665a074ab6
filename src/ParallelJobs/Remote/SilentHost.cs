using System;
using System.Globalization;
using System.Management.Automation.Host;

namespace ParallelJobs.Remote;

/// <summary>
/// The host remote items see: one without a user interface. Otherwise a session opened in the console
/// would also print each remote warning and verbose line there, beside the records we write in order;
/// and a remote Read-Host fails at once instead of waiting on a prompt nobody sees.
/// </summary>
internal sealed class SilentHost : PSHost
{
    public static readonly SilentHost Instance = new();

    private readonly Guid _id = Guid.NewGuid();

    private SilentHost()
    {
    }

    public override string Name => "ParallelJobs";

    public override Version Version { get; } = new(1, 0);

    public override Guid InstanceId => _id;

    public override PSHostUserInterface? UI => null;

    public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;

    public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;

    public override void SetShouldExit(int exitCode)
    {
    }

    public override void EnterNestedPrompt() => throw new NotSupportedException("Remote items of a parallel run cannot enter a nested prompt.");

    public override void ExitNestedPrompt() => throw new NotSupportedException("Remote items of a parallel run cannot enter a nested prompt.");

    public override void NotifyBeginApplication()
    {
    }

    public override void NotifyEndApplication()
    {
    }
}
