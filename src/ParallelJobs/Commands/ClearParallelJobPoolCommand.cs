using System.Management.Automation;
using ParallelJobs.Scripting;

namespace ParallelJobs.Commands;

/// <summary>Clear-ParallelJobPool: closes every idle worker runspace now.</summary>
[Cmdlet(VerbsCommon.Clear, "ParallelJobPool", SupportsShouldProcess = true)]
[OutputType(typeof(int))]
public sealed class ClearParallelJobPoolCommand : PSCmdlet
{
    /// <summary>Write how many runspaces were closed.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        Prewarmer.Wait();
        if (!ShouldProcess($"{WarmPool.Snapshot().Count} idle worker runspaces", "Close"))
        {
            return;
        }

        int closed = WarmPool.Clear();
        WriteVerbose($"Closed {closed} idle worker runspaces.");
        if (PassThru)
        {
            WriteObject(closed);
        }
    }
}
