<#
.SYNOPSIS
    Worker-process benchmark (issue 15): -UseProcess against sequential work, runspace workers and two
    independent pwsh processes, measured in one run.
.DESCRIPTION
    Rows:
    - script-heavy CPU-bound items (a PowerShell loop over -Bytes bytes, -CpuItems items): sequential
      ForEach-Object, 2 runspace workers, 2 process workers (warm), and two independent pwsh processes each
      doing half (started beforehand and released together, so their start-up is not timed); each side runs the
      work -WarmPasses times untimed, then waits the same -StartAllowance seconds before it is timed;
    - the seed example (20 items of 0.5 s, -ThrottleLimit 10) with -UseProcess: the first call, the next as soon as
      the ten processes are up, the next once they have settled (-Settle seconds; a process that has just started
      keeps .NET compiling for several seconds), and calls back to back;
    - -TrivialItems trivial items with 2 process workers: per-item cost;
    - an item that calls [Environment]::Exit(1) among 100: results, errors, and that this session lives on.
    The best of -Repeat runs is shown where a row is timed more than once (of -CpuRepeat for the CPU-bound rows).
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Bench-Process.ps1
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/ParallelJobs/ParallelJobs.psd1'),
    [int] $CpuItems = 16,
    [int] $Bytes = 1000000,
    [int] $TrivialItems = 10000,
    [int] $Repeat = 2,
    # The CPU-bound rows vary by a third from one run to the next on a shared machine: each side's best of more runs.
    [int] $CpuRepeat = 5,
    [int] $Settle = 15,
    [int] $StartAllowance = 8,
    [int] $WarmPasses = 3
)

$ErrorActionPreference = 'Stop'
$module = (Resolve-Path $ModulePath).Path
Import-Module $module -Force

function Measure-Best([scriptblock] $Run, [int] $Times = $Repeat) {
    $best = [double]::MaxValue
    for ($i = 0; $i -lt $Times; $i++) {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $null = & $Run
        $best = [math]::Min($best, $watch.Elapsed.TotalSeconds)
    }
    $best
}

# A PowerShell loop over a byte array: allocation-light script work, as the issue's table.
$workText = "`$b = [byte[]]::new($Bytes); `$s = 0; foreach (`$x in `$b) { `$s += `$x }; `$s + `$_"
$work = [scriptblock]::Create($workText)

$rows = [System.Collections.Generic.List[object]]::new()
function Add-Row([string] $Case, [string] $Result, [string] $Note = '') { $rows.Add([pscustomobject]@{ Case = $Case; Result = $Result; Note = $Note }) }

# --- CPU-bound script work ---
$sequential = Measure-Best { 1..$CpuItems | ForEach-Object { & $work } } $CpuRepeat
$runspaces = Measure-Best { 1..$CpuItems | Invoke-ParallelJob -ThrottleLimit 2 $work } $CpuRepeat
# Warmed as the two pwsh below are: -WarmPasses untimed passes of the work (a new process runs PowerShell's engine
# slowly at first, 150-300 ms an item instead of 60-100; PowerShell compiles a script block after 32 runs), then as
# long to settle as they get before their go.
for ($i = 0; $i -lt $WarmPasses; $i++) { $null = 1..$CpuItems | Invoke-ParallelJob -UseProcess -ThrottleLimit 2 $work }
Start-Sleep -Seconds $StartAllowance
$processes = Measure-Best { 1..$CpuItems | Invoke-ParallelJob -UseProcess -ThrottleLimit 2 $work } $CpuRepeat

# Two independent pwsh processes, each doing half; each runs its half once untimed, then waits for a go file, so only
# the work is timed.
$go = Join-Path ([IO.Path]::GetTempPath()) "pjbench-go-$PID"
Remove-Item $go -ErrorAction Ignore
$half = [int][math]::Ceiling($CpuItems / 2)
$script = "`$w = [scriptblock]::Create('$($workText -replace "'", "''")'); foreach (`$pass in 1..$WarmPasses) { `$null = 1..$half | ForEach-Object { & `$w } }; while (-not (Test-Path '$go')) { Start-Sleep -Milliseconds 5 }; `$null = 1..$half | ForEach-Object { & `$w }"
$dll = Join-Path $PSHOME 'pwsh.dll'
$independent = [double]::MaxValue
for ($i = 0; $i -lt $CpuRepeat; $i++) {
    Remove-Item $go -ErrorAction Ignore
    $children = 1..2 | ForEach-Object {
        $info = [System.Diagnostics.ProcessStartInfo]::new()
        if (Test-Path $dll) { $info.FileName = (Get-Process -Id $PID).Path; $info.ArgumentList.Add($dll) } else { $info.FileName = Join-Path $PSHOME 'pwsh' }
        foreach ($arg in '-NoProfile', '-NonInteractive', '-Command', $script) { $info.ArgumentList.Add($arg) }
        [System.Diagnostics.Process]::Start($info)
    }
    Start-Sleep -Seconds $StartAllowance   # let both start and reach their wait loop
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $null = New-Item -ItemType File -Path $go
    $children | ForEach-Object { $_.WaitForExit() }
    $independent = [math]::Min($independent, $watch.Elapsed.TotalSeconds)
}
Remove-Item $go -ErrorAction Ignore

Add-Row "CPU-bound script items ($CpuItems x loop over $Bytes bytes), sequential" ('{0:0.00} s' -f $sequential)
Add-Row '  2 runspace workers' ('{0:0.00} s ({1:0.00}x)' -f $runspaces, ($sequential / $runspaces))
Add-Row '  2 process workers (warm)' ('{0:0.00} s ({1:0.00}x)' -f $processes, ($sequential / $processes)) ('{0:+0;-0}% against two pwsh' -f (100 * ($processes - $independent) / $independent))
Add-Row '  two independent pwsh, half each' ('{0:0.00} s ({1:0.00}x)' -f $independent, ($sequential / $independent)) "start-up and $WarmPasses warm passes not timed"

# --- the seed example, second call ---
$seed = { 100..2000 | Where-Object { $_ % 100 -eq 0 } | Invoke-ParallelJob -UseProcess -ThrottleLimit 10 { Start-Sleep -Milliseconds 500; [math]::Sqrt($_) } }
$firstSeed = Measure-Best $seed 1
# Processes still starting when the first call's items ran out go on into the pool: wait for all ten, so the
# second call measures a warm pool (on two cores ten processes take several seconds to start).
$until = [DateTime]::Now.AddSeconds(60)
while (@(Get-ParallelJobPool | Where-Object Kind -eq 'Process').Count -lt 10 -and [DateTime]::Now -lt $until) { Start-Sleep -Milliseconds 200 }
# A process that has just started keeps .NET busy compiling for several seconds more (ten of them fill two cores):
# the warm pool is measured once they have settled, and once right after the first call's processes came up.
$justWarm = Measure-Best $seed 1
Start-Sleep -Seconds $Settle
$secondSeed = [double]::MaxValue
for ($i = 0; $i -lt $Repeat; $i++) { Start-Sleep -Seconds 3; $secondSeed = [math]::Min($secondSeed, (Measure-Best $seed 1)) }
$backToBack = Measure-Best $seed 3
Add-Row 'Seed example with -UseProcess, first call (10 processes start)' ('{0:0.00} s' -f $firstSeed)
Add-Row '  next call, as soon as the ten processes are up' ('{0:0.00} s' -f $justWarm) 'their start-up compiling still running'
Add-Row '  next call, warm pool settled' ('{0:0.00} s' -f $secondSeed) 'target <= 1.05 s'
Add-Row '  calls back to back' ('{0:0.00} s' -f $backToBack) 'best of 3'

# --- trivial items ---
$trivial = Measure-Best { 1..$TrivialItems | Invoke-ParallelJob -UseProcess -ThrottleLimit 2 { $_ } } 1
Add-Row "$TrivialItems trivial items, 2 process workers" ('{0:0.00} s, {1:0} us per item' -f $trivial, (1e6 * $trivial / $TrivialItems)) 'target <= 50 us'

# --- an Exit(1) among 100 ---
$output = 1..100 | Invoke-ParallelJob -UseProcess -ThrottleLimit 2 { if ($_ -eq 50) { [Environment]::Exit(1) }; $_ } -ErrorVariable exitErrors -ErrorAction SilentlyContinue
Add-Row 'An item calling [Environment]::Exit(1) among 100' ("$(@($output).Count) results, $(@($exitErrors).Count) error ($($exitErrors[0].FullyQualifiedErrorId -replace ',.*'))") "this session alive: PID $PID"

Clear-ParallelJobPool
$rows | Format-Table -AutoSize -Wrap | Out-String -Width 200
