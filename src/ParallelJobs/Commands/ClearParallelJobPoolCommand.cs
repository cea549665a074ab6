using System.Management.Automation;
using ParallelJobs.Scripting;

namespace ParallelJobs.Commands;

/// <summary>Clear-ParallelJobPool: closes every idle worker now: runspaces, worker processes, SSH sessions.</summary>
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
        int idle = WarmPool.Snapshot().Count + Workers.ProcessPool.Snapshot().Count + Remote.SshPool.Snapshot().Count;
        if (!ShouldProcess($"{idle} idle workers", "Close"))
        {
            return;
        }

        int closed = WarmPool.ClearAll();
        WriteVerbose($"Closed {closed} idle workers.");
        if (PassThru)
        {
            WriteObject(closed);
        }
    }
}
