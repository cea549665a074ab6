<#
.SYNOPSIS
    The seed example: 20 items that each sleep 0.5 s and return sqrt(x), run 10 at a time, in order.
.DESCRIPTION
    The same job as joblib's Parallel(n_jobs=10)(delayed(process_data)(item) for item in range(100, 2001, 100)).
    Sequentially it takes 10 s; with ten workers the physical limit is 1.0 s.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,

    # Also time the sequential loop (10 s), as the seed article does.
    [switch] $IncludeSequential
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

$items = 100..2000 | Where-Object { $_ % 100 -eq 0 }

if ($IncludeSequential) {
    $linear = Measure-Command { $null = $items | ForEach-Object { Start-Sleep -Milliseconds 500; [math]::Sqrt($_) } }
    'Linear execution took {0:n4} seconds' -f $linear.TotalSeconds
}

$results = $null
$parallel = Measure-Command {
    $results = $items | Invoke-ParallelJob -ThrottleLimit 10 { Start-Sleep -Milliseconds 500; [math]::Sqrt($_) }
}
'Parallel execution took {0:n4} seconds (the limit is 1.0000)' -f $parallel.TotalSeconds

$again = Measure-Command {
    $null = $items | Invoke-ParallelJob -ThrottleLimit 10 { Start-Sleep -Milliseconds 500; [math]::Sqrt($_) }
}
'Again, with the warm pool:  {0:n4} seconds' -f $again.TotalSeconds

$expected = $items | ForEach-Object { [math]::Sqrt($_) }
$inOrder = ($results -join ',') -eq ($expected -join ',')
"Results in input order: $inOrder"
'[' + (($results | ForEach-Object { $_.ToString([cultureinfo]::InvariantCulture) }) -join ', ') + ']'
if (-not $inOrder) { exit 1 }
