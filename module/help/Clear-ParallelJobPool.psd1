@{
    Synopsis    = 'Closes every idle worker (runspace, worker process, SSH session) that ParallelJobs keeps warm.'
    Description = @'
Closes the idle runspaces, worker processes and SSH sessions of the warm pool now, rather than after the idle timeout. Afterwards Get-Runspace shows no ParallelJobs runspace. Runspaces in use by a running call are not affected; they are closed or pooled when that call ends.
'@
    Parameters  = @{
        PassThru = 'Writes the number of idle workers (runspaces, worker processes, SSH sessions) that were closed.'
    }
    Inputs      = 'None'
    Outputs     = 'System.Int32 (with -PassThru)'
    Examples    = @(
        @{
            Title   = 'Release the pool at the end of a script'
            Code    = @'
try {
    Get-ChildItem *.log | Invoke-ParallelJob { Select-String -Path $_ -Pattern ERROR }
}
finally {
    Clear-ParallelJobPool
}
'@
            Remarks = 'Leaves no worker runspace behind.'
        }
    )
    Links       = @('Get-ParallelJobPool', 'Set-ParallelJobPool')
}
