using System.Management.Automation;
using ParallelJobs.Remote;
using ParallelJobs.Scripting;
using ParallelJobs.Workers;

namespace ParallelJobs.Commands;

/// <summary>Get-ParallelJobPool: lists the idle workers kept warm between calls: runspaces, worker processes, then SSH sessions.</summary>
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

        foreach (PooledSession session in SshPool.Snapshot())
        {
            WriteObject(new PoolRunspaceInfo(
                session.Connection.Runspace.Id,
                "SSH " + session.HostName,
                session.Description,
                session.Created,
                session.LastUsed,
                session.Runs,
                session.LastUsed + WarmPool.IdleTimeout - System.DateTime.Now,
                "SSH"));
        }
    }
}
