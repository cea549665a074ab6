@{
    Synopsis    = 'Lists the idle workers (runspaces, worker processes, SSH sessions) that ParallelJobs keeps warm between calls.'
    Description = @'
Opening a runspace costs about 10 ms of CPU. Invoke-ParallelJob therefore keeps the worker runspaces of a call open after it ends, and the next call with the same configuration (the same -Module list and -InitializationScript) reuses them. Before a runspace goes back to the pool, every global variable and function the run added is removed, so a reused runspace carries nothing from the earlier call. Idle runspaces are closed after an idle timeout (5 minutes unless Set-ParallelJobPool changes it).

Worker processes of -UseProcess and SSH sessions opened by -HostName and -SSHConnection are kept the same way, under the same idle timeout: a worker process by its -Module list and -InitializationScript, an SSH session by its host, user, key, port, ssh options and that configuration; before reuse the globals and functions a call added are removed from them.

Get-ParallelJobPool writes one object per idle worker: its Kind (Runspace, Process or SSH), its ProcessId for a worker process, its runspace Id and Name (as Get-Runspace shows them for a runspace; "Process <id>" or "SSH <host>" for the others), the configuration it was prepared with, when it was created and last used, how many calls used it, how long it has been idle and when it expires.
'@
    Parameters  = @{}
    Inputs      = 'None'
    Outputs     = 'ParallelJobs.PoolRunspaceInfo'
    Examples    = @(
        @{
            Title   = 'See what the last call left warm'
            Code    = @'
1..4 | Invoke-ParallelJob { $_ } -ThrottleLimit 2 | Out-Null
Get-ParallelJobPool
'@
            Remarks = 'Shows two idle runspaces, ready for the next call.'
        }
    )
    Links       = @('Clear-ParallelJobPool', 'Set-ParallelJobPool', 'Invoke-ParallelJob', 'Get-Runspace')
}
