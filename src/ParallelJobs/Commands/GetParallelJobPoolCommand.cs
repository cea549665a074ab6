using System.Management.Automation;
using ParallelJobs.Scripting;

namespace ParallelJobs.Commands;

/// <summary>Get-ParallelJobPool: lists the idle worker runspaces kept warm between calls.</summary>
[Cmdlet(VerbsCommon.Get, "ParallelJobPool")]
[OutputType(typeof(PoolRunspaceInfo))]
public sealed class GetParallelJobPoolCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        foreach (WorkerRunspace runspace in WarmPool.Snapshot())
        {
            WriteObject(new PoolRunspaceInfo(
                runspace.Runspace.Id,
                runspace.Runspace.Name,
                runspace.Description,
                runspace.Created,
                runspace.LastUsed,
                runspace.Runs,
                runspace.LastUsed + WarmPool.IdleTimeout - System.DateTime.Now));
        }
    }
}
