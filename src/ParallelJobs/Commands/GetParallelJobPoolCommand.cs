using System.Management.Automation;
using ParallelJobs.Scripting;
using ParallelJobs.Workers;

namespace ParallelJobs.Commands;

/// <summary>Get-ParallelJobPool: lists the idle workers kept warm between calls: runspaces, then worker processes.</summary>
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

        foreach (ProcessWorker worker in ProcessPool.Snapshot())
        {
            WriteObject(new PoolRunspaceInfo(
                worker.Connection.Runspace.Id,
                "Process " + worker.Connection.ProcessId,
                worker.Description,
                worker.Created,
                worker.LastUsed,
                worker.Runs,
                worker.LastUsed + WarmPool.IdleTimeout - System.DateTime.Now,
                "Process",
                worker.Connection.ProcessId));
        }
    }
}
