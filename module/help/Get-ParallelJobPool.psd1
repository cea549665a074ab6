@{
    Synopsis    = 'Lists the idle worker runspaces that ParallelJobs keeps warm between calls.'
    Description = @'
Opening a runspace costs about 10 ms of CPU. Invoke-ParallelJob therefore keeps the worker runspaces of a call open after it ends, and the next call with the same configuration (the same -Module list and -InitializationScript) reuses them. Before a runspace goes back to the pool, every global variable and function the run added is removed, so a reused runspace carries nothing from the earlier call. Idle runspaces are closed after an idle timeout (5 minutes unless Set-ParallelJobPool changes it).

Get-ParallelJobPool writes one object per idle runspace: its runspace Id and Name (as Get-Runspace shows them), the configuration it was prepared with, when it was created and last used, how many calls used it, how long it has been idle and when it expires.
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
