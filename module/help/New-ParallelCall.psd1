@{
    Synopsis    = 'Makes a deferred call, a script block with its arguments, for Invoke-ParallelJob to run.'
    Description = @'
New-ParallelCall is the PowerShell form of joblib's delayed(f)(x). It does not run anything: it returns a ParallelJobs.ParallelCall object that holds a script block and its arguments. Pipe such calls, or plain script blocks, to Invoke-ParallelJob without a -ScriptBlock, and each one runs as its own task on the worker pool, with its results written in input order.

$using: variables in the script block are read from the caller when Invoke-ParallelJob receives the call.
'@
    Parameters  = @{
        ScriptBlock  = 'The script block to run later. Its param() block receives the -ArgumentList values.'
        ArgumentList = 'The arguments to bind to the script block''s param() block, by position. Any further arguments on the command line are collected here too.'
    }
    Inputs      = 'None'
    Outputs     = 'ParallelJobs.ParallelCall'
    Examples    = @(
        @{
            Title   = 'Different work in one parallel run'
            Code    = @'
$calls = @(
    New-ParallelCall { param($x) [math]::Sqrt($x) } -ArgumentList 16
    New-ParallelCall { param($a, $b) $a + $b } -ArgumentList 2, 3
    { Get-Date -Year 2000 -Month 1 -Day 1 -Format yyyy }
)
$calls | Invoke-ParallelJob
'@
            Remarks = 'Returns 4, 5 and 2000, in that order. A plain script block is a call without arguments.'
        }
        @{
            Title   = 'joblib: Parallel(n_jobs=10)(delayed(f)(x) for x in items)'
            Code    = @'
function Get-Root { param($x) Start-Sleep -Milliseconds 500; [math]::Sqrt($x) }
$f = ${function:Get-Root}.ToString()
100..110 | ForEach-Object { New-ParallelCall ([scriptblock]::Create($f)) $_ } | Invoke-ParallelJob -ThrottleLimit 10
'@
            Remarks = 'Eleven calls of one function, ten at a time, results in input order.'
        }
    )
    Links       = @('Invoke-ParallelJob')
}
