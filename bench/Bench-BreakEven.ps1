<#
.SYNOPSIS
    Break-even curve (issue 15): items of W us of script work, 2 runspace workers and 2 process workers against
    a sequential ForEach-Object, measured in one run.
.DESCRIPTION
    The work of an item is a PowerShell loop whose iteration count is calibrated at the start of the run: an
    empty item's cost and the iterations that take one millisecond are measured in a sequential
    ForEach-Object { & $work }, and each W gets the iterations that make a sequential item take about W us. The
    table shows the measured sequential us per item beside the nominal W.
    For each W the item count is chosen so that the sequential run takes about -TargetSeconds
    (max(200, TargetSeconds / W), at most -MaxItems), and three ways run the same items:
    - sequential:  1..N | ForEach-Object { & $work }
    - runspace:    1..N | Invoke-ParallelJob -ThrottleLimit 2 $work
    - process:     1..N | Invoke-ParallelJob -UseProcess -ThrottleLimit 2 $work
    and, for the machine's own limit, two independent pwsh processes each run half of the items sequentially
    (started and warmed beforehand, released together; 'Two pwsh x').
    The engine, the runspaces and the two worker processes are warmed first, and each W's work is run briefly by
    all three before it is timed. Each way's time is the best of -Repeat rounds; the rounds interleave the three
    ways, so that a slow spell of the (shared) machine hits each of them alike. The last column names the fastest.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Bench-BreakEven.ps1
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Bench-BreakEven.ps1 -Work 10,1000 -Repeat 1
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/ParallelJobs/ParallelJobs.psd1'),
    # Strings, split at commas: pwsh -File passes "-Work 10,1000" as one string, which [int[]] would read as 101000.
    [string[]] $Work = @(10, 50, 200, 1000, 5000),
    [int] $Repeat = 3,
    [double] $TargetSeconds = 1.5,
    [int] $MaxItems = 20000
)

$ErrorActionPreference = 'Stop'
[int[]] $Work = $Work -split ',' | ForEach-Object Trim | Where-Object { $_ }
$module = (Resolve-Path $ModulePath).Path
Import-Module $module -Force

# Best of -Times rounds for each named run; a round runs each once, so the runs interleave.
function Measure-Best([System.Collections.Specialized.OrderedDictionary] $Runs, [int] $Times = $Repeat) {
    $best = [ordered]@{}
    foreach ($name in $Runs.Keys) { $best[$name] = [double]::MaxValue }
    for ($round = 0; $round -lt $Times; $round++) {
        foreach ($name in $Runs.Keys) {
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $null = & $Runs[$name]
            $best[$name] = [math]::Min($best[$name], $watch.Elapsed.TotalSeconds)
        }
    }
    $best
}

# .NET recompiles hot PowerShell methods on a background thread for a while after warm-up runs: wait until this
# process is idle, so that no case is timed against it.
function Wait-Quiet {
    $process = [System.Diagnostics.Process]::GetCurrentProcess()
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    do {
        $process.Refresh(); $before = $process.TotalProcessorTime
        Start-Sleep -Milliseconds 250
        $process.Refresh()
    } while (($process.TotalProcessorTime - $before).TotalMilliseconds -gt 15 -and [DateTime]::UtcNow -lt $deadline)
}

# The iteration count is a literal in the text, so the block needs nothing from this session ($using:, -Variable)
# and runs the same in a runspace and in a worker process.
function New-Work([int] $Iterations) {
    [scriptblock]::Create("`$s = 0; for (`$i = 0; `$i -lt $Iterations; `$i++) { `$s += `$i }; `$s + `$_")
}

# Sequential us per item of a work block, warmed first: PowerShell compiles a script block only after its first calls.
# Many short rounds: on a shared machine the same item varies by a third from one tenth of a second to the next,
# and the best of several comes close to what the best of -Repeat finds in the table.
function Measure-SequentialUs([scriptblock] $Block, [int] $Items, [int] $Times = 5) {
    $null = 1..100 | ForEach-Object { & $Block }
    $best = Measure-Best ([ordered]@{ Sequential = { 1..$Items | ForEach-Object { & $Block } } }) $Times
    1e6 * $best.Sequential / $Items
}

# The machine's own limit for the same work: two independent pwsh processes, each running half the items in a
# sequential ForEach-Object, started and warmed before they are timed; each round starts on a go file and ends when
# both have written theirs. Best of -Times rounds.
function Measure-Independent([int] $Iterations, [int] $Items, [int] $Times = $Repeat) {
    $tag = Join-Path ([IO.Path]::GetTempPath()) "pjbreak-$PID-$Iterations"
    $half = [int][math]::Ceiling($Items / 2)
    $script = "`$w = [scriptblock]::Create('`$s = 0; for (`$i = 0; `$i -lt $Iterations; `$i++) { `$s += `$i }; `$s + `$_'); " +
        "foreach (`$pass in 1..3) { `$null = 1..$half | ForEach-Object { & `$w } }; " +
        "foreach (`$k in 1..$Times) { while (-not (Test-Path ('$tag-go-' + `$k))) { Start-Sleep -Milliseconds 2 }; `$null = 1..$half | ForEach-Object { & `$w }; `$null = New-Item -ItemType File -Path ('$tag-done-' + `$k + '-' + `$PID) } "
    $dll = Join-Path $PSHOME 'pwsh.dll'
    $children = 1..2 | ForEach-Object {
        $info = [System.Diagnostics.ProcessStartInfo]::new()
        if (Test-Path $dll) { $info.FileName = (Get-Process -Id $PID).Path; $info.ArgumentList.Add($dll) } else { $info.FileName = Join-Path $PSHOME 'pwsh' }
        foreach ($arg in '-NoProfile', '-NonInteractive', '-Command', $script) { $info.ArgumentList.Add($arg) }
        [System.Diagnostics.Process]::Start($info)
    }
    # Start-up and the three warm passes, then quiet: the same warm engine the other ways get.
    Start-Sleep -Seconds ([math]::Max(6, 4 * $half * $Iterations / 1e6 + 6))
    $best = [double]::MaxValue
    try {
        foreach ($k in 1..$Times) {
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $null = New-Item -ItemType File -Path "$tag-go-$k"
            while (@(Get-Item "$tag-done-$k-*" -ErrorAction Ignore).Count -lt 2 -and $watch.Elapsed.TotalSeconds -lt 120) { Start-Sleep -Milliseconds 2 }
            $best = [math]::Min($best, $watch.Elapsed.TotalSeconds)
        }
    }
    finally {
        $children | ForEach-Object { if (-not $_.WaitForExit(10000)) { $_.Kill() } }
        Remove-Item "$tag-*" -ErrorAction Ignore
    }
    $best
}

$load = if (Test-Path /proc/loadavg) { ", load average $((Get-Content /proc/loadavg) -split ' ' | Select-Object -First 3)" } else { '' }
"Measured $(Get-Date -Format 'yyyy-MM-dd HH:mm') on $([Environment]::ProcessorCount) cores, PowerShell $($PSVersionTable.PSVersion)$load"

Write-Host 'warming up...'
# This PowerShell's assemblies are not precompiled: .NET compiles its hot interpreter methods again in the
# background over the first seconds of script work, and an empty item costs several times more until then. Run
# a small loop until its time stops improving, so that the calibration and every case see the same, warm engine.
$warmBlock = New-Work 500
$warmWatch = [System.Diagnostics.Stopwatch]::StartNew()
$fastest = [double]::MaxValue; $stale = 0
while ($warmWatch.Elapsed.TotalSeconds -lt 20 -and ($warmWatch.Elapsed.TotalSeconds -lt 5 -or $stale -lt 5)) {
    $round = (Measure-Best ([ordered]@{ Warm = { 1..500 | ForEach-Object { & $warmBlock } } }) 1).Warm
    if ($round -lt 0.97 * $fastest) { $stale = 0 } else { $stale++ }
    $fastest = [math]::Min($fastest, $round)
}
# The runspaces and the two worker processes (each its own .NET, warmed the same way: 2 x 10 items of 0.1 s of
# loop, then quick items through the batching path).
$warmUs = 1e6 * $fastest / 500   # us per item of 500 iterations
$tenthSecond = New-Work ([int](500 * 1e5 / $warmUs))
$null = 1..20 | Invoke-ParallelJob -ThrottleLimit 2 $tenthSecond
$null = 1..2000 | Invoke-ParallelJob -ThrottleLimit 2 $warmBlock
$null = 1..2 | Invoke-ParallelJob -UseProcess -ThrottleLimit 2 { $_ }
$until = [DateTime]::Now.AddSeconds(60)
while (@(Get-ParallelJobPool | Where-Object Kind -eq 'Process').Count -lt 2 -and [DateTime]::Now -lt $until) { Start-Sleep -Milliseconds 200 }
$null = 1..20 | Invoke-ParallelJob -UseProcess -ThrottleLimit 2 $tenthSecond
$null = 1..500 | Invoke-ParallelJob -UseProcess -ThrottleLimit 2 $warmBlock
Wait-Quiet

Write-Host 'calibrating...'
# An empty item's cost E (the loop with no iterations, ForEach-Object and &), then the iterations that make an
# item of 1 ms, corrected from their measured time until within 5 %; W gets (W - E) / (1 ms - E) of them.
# Each pass measures both again, and E is the least seen: another program's spell on the shared cores only ever
# adds time.
$emptyBlock = New-Work 0
$emptyUs = [double]::MaxValue
$perMs = 1000 * 500 / $warmUs
for ($pass = 0; $pass -lt 4; $pass++) {
    $emptyUs = [math]::Min($emptyUs, (Measure-SequentialUs $emptyBlock 1000 8))
    $msUs = Measure-SequentialUs (New-Work ([int]$perMs)) 100
    $perMs = $perMs * (1000 - $emptyUs) / [math]::Max(1, $msUs - $emptyUs)
    if ($pass -gt 0 -and [math]::Abs($msUs - 1000) -lt 50) { break }
}
"Calibration: an empty item costs {0:0.0} us sequentially (so W below that runs as an empty item); an item of {1:n0} loop iterations takes 1 ms" -f $emptyUs, $perMs

$rows = [System.Collections.Generic.List[object]]::new()
foreach ($w in $Work) {
    $n = [int][math]::Min($MaxItems, [math]::Max(200, $TargetSeconds * 1e6 / $w))
    $iterations = [int][math]::Round([math]::Max(0, $w - $emptyUs) * $perMs / (1000 - $emptyUs))
    if ($iterations -gt 0) {
        # A loop's cost per iteration is not quite the same at every length: one correction from a short sample.
        $sampleUs = Measure-SequentialUs (New-Work $iterations) ([math]::Max(20, [math]::Min($n, 0.1e6 / $w)))
        $iterations = [int][math]::Round($iterations * ($w - $emptyUs) / [math]::Max(1, $sampleUs - $emptyUs))
    }
    $block = New-Work $iterations
    Write-Host "W = $w us: $n items of $iterations iterations..."
    $warm = [math]::Min($n, 100)
    $null = 1..$warm | ForEach-Object { & $block }
    $null = 1..$warm | Invoke-ParallelJob -ThrottleLimit 2 $block
    $null = 1..$warm | Invoke-ParallelJob -UseProcess -ThrottleLimit 2 $block
    Wait-Quiet
    $best = Measure-Best ([ordered]@{
            sequential = { 1..$n | ForEach-Object { & $block } }
            runspace   = { 1..$n | Invoke-ParallelJob -ThrottleLimit 2 $block }
            process    = { 1..$n | Invoke-ParallelJob -UseProcess -ThrottleLimit 2 $block }
        })
    $winner = $best.Keys | Sort-Object { $best[$_] } | Select-Object -First 1
    $independent = Measure-Independent $iterations $n
    $rows.Add([pscustomobject]@{
            'W (us)'          = $w
            'Seq us/item'     = [math]::Round(1e6 * $best.sequential / $n, 1)
            Items             = $n
            'Seq s'           = [math]::Round($best.sequential, 3)
            'Runspace s'      = [math]::Round($best.runspace, 3)
            'Runspace x'      = [math]::Round($best.sequential / $best.runspace, 2)
            'Process s'       = [math]::Round($best.process, 3)
            'Process x'       = [math]::Round($best.sequential / $best.process, 2)
            'Process us/item' = [math]::Round(1e6 * $best.process / $n, 1)
            'Two pwsh x'      = [math]::Round($best.sequential / $independent, 2)
            Faster            = $winner
        })
}

Clear-ParallelJobPool
"Best of $Repeat; x is the speed-up over sequential; 'Process us/item' is the process run's wall time per item (2 workers);"
"'Two pwsh x' is two independent pwsh processes doing half each: what two cores give this work with nothing shared."
"Where W is near the empty item's cost, the sequential reference also pays for ForEach-Object's own script block per"
"item, which the workers do not run: a speed-up above 2x there is a cheaper path per item as well as two cores."
$rows | Format-Table -AutoSize | Out-String -Width 200
