<#
.SYNOPSIS
    The seed example: 20 items that each sleep 0.5 s and return sqrt(x), run 10 at a time, in order.
.DESCRIPTION
    The same job as joblib's Parallel(n_jobs=10)(delayed(process_data)(item) for item in range(100, 2001, 100)),
    printed as the seed article prints it: the linear time, the parallel time, and the speed-up. The linear time
    is computed from the items (20 x 0.5 s = 10 s: the sleeps alone) unless -IncludeSequential measures it.
    Ten workers can at best make it ten times faster, 1.0 s.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,

    # Measure the sequential loop (10 s) instead of computing its time, as the seed article does.
    [switch] $IncludeSequential
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

$items = 100..2000 | Where-Object { $_ % 100 -eq 0 }
$sleep = 0.5
$workers = 10

if ($IncludeSequential) {
    $linear = (Measure-Command { $null = $items | ForEach-Object { Start-Sleep -Milliseconds 500; [math]::Sqrt($_) } }).TotalSeconds
    $how = 'measured'
}
else {
    $linear = $items.Count * $sleep
    $how = "computed: $($items.Count) items x $sleep s; -IncludeSequential measures it"
}
'Linear execution took {0:n4} seconds ({1})' -f $linear, $how

$results = $null
$parallel = (Measure-Command {
        $results = $items | Invoke-ParallelJob -ThrottleLimit 10 { Start-Sleep -Milliseconds 500; [math]::Sqrt($_) }
    }).TotalSeconds
'Parallel execution took {0:n4} seconds ({1} at a time, the first call after Import-Module)' -f $parallel, $workers
'Speed-up: {0:n1}x ({1} workers make it at most {1}x)' -f ($linear / $parallel), $workers

$again = (Measure-Command {
        $null = $items | Invoke-ParallelJob -ThrottleLimit 10 { Start-Sleep -Milliseconds 500; [math]::Sqrt($_) }
    }).TotalSeconds
'Again, with the warm pool: {0:n4} seconds, {1:n1}x' -f $again, ($linear / $again)

$expected = $items | ForEach-Object { [math]::Sqrt($_) }
$inOrder = ($results -join ',') -eq ($expected -join ',')
if ($inOrder) {
    'Results in input order: yes, sqrt(100), sqrt(200), ..., sqrt(2000), as the loop gives them'
}
else {
    'Results in input order: NO'
}
'[' + (($results | ForEach-Object { $_.ToString([cultureinfo]::InvariantCulture) }) -join ', ') + ']'
if (-not $inOrder) { exit 1 }
