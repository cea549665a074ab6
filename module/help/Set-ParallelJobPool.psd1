@{
    Synopsis    = 'Sets how long idle worker runspaces are kept warm, and how many.'
    Description = @'
Changes the warm pool's settings for this process. A shorter -IdleTimeoutSeconds closes idle runspaces sooner; 0 turns the pool off, so every call opens and closes its own runspaces. -MaxIdle bounds how many idle runspaces are kept; the oldest are closed first. The same timeout applies to the idle worker processes (-UseProcess) and SSH sessions (-HostName, -SSHConnection) of the pool, and -MaxIdle bounds each of those kinds on its own.
'@
    Parameters  = @{
        IdleTimeoutSeconds = 'Seconds an idle runspace is kept before it is closed. The default is 300. 0 turns the warm pool off and closes what it holds.'
        MaxIdle            = 'The most idle runspaces kept at once. The default is 32.'
    }
    Defaults    = @{
        IdleTimeoutSeconds = 'None (unchanged; the pool starts at 300)'
        MaxIdle            = 'None (unchanged; the pool starts at 32)'
    }
    Inputs      = 'None'
    Outputs     = 'None'
    Examples    = @(
        @{
            Title   = 'Keep runspaces for one minute'
            Code    = 'Set-ParallelJobPool -IdleTimeoutSeconds 60'
            Remarks = 'Idle runspaces now close after a minute without use.'
        }
    )
    Links       = @('Get-ParallelJobPool', 'Clear-ParallelJobPool')
}
