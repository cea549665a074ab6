<#
.SYNOPSIS
    Prints the benchmark table for Invoke-ParallelJob, each case measured in this run beside
    ForEach-Object -Parallel and a sequential ForEach-Object.
.DESCRIPTION
    Cases (targets from the project's issues, on a 2-core machine):
      import      Import-Module's own time, and the memory and CPU it adds once its background warm-up is done
      seed        20 items x 0.5 s, ThrottleLimit 10 (limit 1.000 s): first call <= 1.06 s, second <= 1.02 s, in order
      floor       a no-op cmdlet with the same parameters: what binding and writing alone cost per item
      trivial     N items { $_ * 2 }, ordered: per-item time <= sequential ForEach-Object, >= 300x faster than -Parallel;
                  also with the output dropped (> $null), where no result is kept
      cpu         200 items that each hash 2 MB: >= 1.8x faster than sequential on 2 cores
      newrunspace 1,000 items with -UseNewRunspace: <= 0.5x the time of ForEach-Object -Parallel -UseNewRunspace
      memory      1,000,000 items -Unordered, and ordered with a slow first item: peak working set <= 150 MB above idle
    First calls and memory are measured in fresh child processes, so nothing warm is reused.
    ForEach-Object -Parallel costs over a millisecond per item, so on the trivial case it runs a sample
    (-ParallelSample items) and its per-item time is compared.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $TrivialItems = 100000,
    [int] $ParallelSample = 2000,
    [int] $MemoryItems = 1000000,
    [switch] $Quick
)

$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
if ($Quick) { $TrivialItems = 20000; $ParallelSample = 500; $MemoryItems = 100000 }
Import-Module $ModulePath
$pwshArgs = @('pwsh', '-NoProfile', '-NonInteractive', '-Command')
$rows = [System.Collections.Generic.List[object]]::new()

function Add-Row($Case, $ParallelJobs, $ForEachParallel, $Sequential, $Result, $Target) {
    $rows.Add([pscustomobject]@{
            Case                       = $Case
            ParallelJobs               = $ParallelJobs
            'ForEach-Object -Parallel' = $ForEachParallel
            'ForEach-Object'           = $Sequential
            Result                     = $Result
            Target                     = $Target
        })
}

function Invoke-Child([string] $Script) {
    $text = "`$ErrorActionPreference = 'Stop'; Import-Module '$ModulePath'; $Script"
    $out = & dotnet @pwshArgs $text
    if ($LASTEXITCODE -ne 0) { throw "Child process failed: $out" }
    return ($out | Select-Object -Last 1)
}

function Seconds([scriptblock] $Script) { (Measure-Command $Script).TotalSeconds }

# After warm-up runs, .NET keeps recompiling hot PowerShell methods in the background for a second or two
# (this PowerShell's assemblies are not precompiled): wait until this process is idle, so that no case is
# measured against the JIT's background thread.
function Wait-Quiet {
    $process = [System.Diagnostics.Process]::GetCurrentProcess()
    $deadline = [DateTime]::UtcNow.AddSeconds(15)
    do {
        $process.Refresh(); $before = $process.TotalProcessorTime
        Start-Sleep -Milliseconds 250
        $process.Refresh()
    } while (($process.TotalProcessorTime - $before).TotalMilliseconds -gt 15 -and [DateTime]::UtcNow -lt $deadline)
}

function New-FloorCmdlet {
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
    $lines = foreach ($p in (Get-Command Invoke-ParallelJob).Parameters.Values | Where-Object Name -notin $common) {
        $attribute = switch ($p.Name) { 'ScriptBlock' { '[Parameter(Position = 0)]' } 'InputObject' { '[Parameter(ValueFromPipeline = true)]' } default { '[Parameter]' } }
        "$attribute public global::$($p.ParameterType.FullName) $($p.Name) { get; set; }"
    }
    $source = "using System.Management.Automation;`n[Cmdlet(`"Test`", `"ParallelJobsFloor`")] public sealed class TestParallelJobsFloor : PSCmdlet {`n$($lines -join "`n")`nprotected override void ProcessRecord() { WriteObject(InputObject is PSObject p ? p.BaseObject : InputObject); } }"
    Add-Type -TypeDefinition $source -ReferencedAssemblies ([psobject].Assembly.Location), ([System.Collections.Hashtable].Assembly.Location) -PassThru | Select-Object -First 1
}

Write-Host 'import...'
# A fresh process each: Import-Module's time, then (once the warm-up has had 4 s) the working set and CPU time
# it added. Median of three: the machine is shared.
$importScript = "`$p = [System.Diagnostics.Process]::GetCurrentProcess(); [GC]::Collect(); `$p.Refresh(); `$ws = `$p.WorkingSet64; `$cpu = `$p.TotalProcessorTime; " +
    "`$sw = [System.Diagnostics.Stopwatch]::StartNew(); Import-Module '$ModulePath'; `$ms = `$sw.Elapsed.TotalMilliseconds; Start-Sleep -Seconds 4; [GC]::Collect(); `$p.Refresh(); " +
    "'{0:0};{1:0.0};{2:0};{3}' -f `$ms, ((`$p.WorkingSet64 - `$ws) / 1MB), (`$p.TotalProcessorTime - `$cpu).TotalMilliseconds, @(Get-ParallelJobPool).Count"
$imports = foreach ($i in 1..3) {
    $out = & dotnet @pwshArgs $importScript
    if ($LASTEXITCODE -ne 0) { throw "Child process failed: $out" }
    , [double[]](($out | Select-Object -Last 1) -split ';')
}
function Median([double[]] $Values) { ($Values | Sort-Object)[[int][math]::Floor($Values.Count / 2)] }
$importMs = Median ($imports | ForEach-Object { $_[0] }); $importMb = Median ($imports | ForEach-Object { $_[1] })
$importCpu = Median ($imports | ForEach-Object { $_[2] }); $pooled = $imports[0][3]
Add-Row 'import: Import-Module, then what its warm-up adds once done (fresh process, median of 3)' ('{0:n0} ms; +{1:n1} MB, {2:n0} ms CPU, {3} runspaces' -f $importMs, $importMb, $importCpu, $pooled) '' '' '' '(for reference)'

Write-Host 'seed example...'
$seedScript = { Start-Sleep -Milliseconds 500; [math]::Sqrt($_) }
$items = 100..2000 | Where-Object { $_ % 100 -eq 0 }
$expected = ($items | ForEach-Object { [math]::Sqrt($_) }) -join ','
$seedCall = "(Measure-Command { `$null = `$items | Invoke-ParallelJob -ThrottleLimit 10 { Start-Sleep -Milliseconds 500; [math]::Sqrt(`$_) } }).TotalSeconds"
# Right after Import-Module, as a script does it; and once the import's background warm-up has opened its
# pooled runspaces (as many as the default -ThrottleLimit, 5; the call opens the other five), as when a user types
# the command after importing. Best of three fresh processes each.
$first = [double]::MaxValue; $firstWarm = [double]::MaxValue
foreach ($i in 1..3) {
    $first = [math]::Min($first, [double](Invoke-Child "`$items = 100..2000 | Where-Object { `$_ % 100 -eq 0 }; $seedCall"))
    $firstWarm = [math]::Min($firstWarm, [double](Invoke-Child "`$items = 100..2000 | Where-Object { `$_ % 100 -eq 0 }; while (@(Get-ParallelJobPool).Count -lt 5) { Start-Sleep -Milliseconds 20 }; Start-Sleep -Milliseconds 500; $seedCall"))
}
$null = $items | Invoke-ParallelJob -ThrottleLimit 10 $seedScript
$second = [double]::MaxValue
$ordered = $true
foreach ($i in 1..3) {
    $r = $null
    $second = [math]::Min($second, (Seconds { $script:r = $items | Invoke-ParallelJob -ThrottleLimit 10 $seedScript }))
    $ordered = $ordered -and (($script:r -join ',') -eq $expected)
}
$fepOut = $null
$fep = Seconds { $script:fepOut = $items | ForEach-Object -Parallel { Start-Sleep -Milliseconds 500; [math]::Sqrt($_) } -ThrottleLimit 10 }
$fepOrdered = ($script:fepOut -join ',') -eq $expected
$seq = Seconds { $null = $items | ForEach-Object $seedScript }
Add-Row 'seed: 20 x 0.5 s, 10 at a time, first call right after Import-Module (fresh process)' ('{0:n3} s' -f $first) ('{0:n3} s{1}' -f $fep, $(if ($fepOrdered) { '' } else { ', unordered' })) ('{0:n3} s' -f $seq) ('{0:n1}x vs sequential' -f ($seq / $first)) '<= 1.06 s'
Add-Row 'seed: first call once the import has opened its five runspaces (fresh process)' ('{0:n3} s' -f $firstWarm) '' '' ('{0:n1}x vs sequential' -f ($seq / $firstWarm)) '<= 1.06 s'
Add-Row 'seed: second call in the same session (best of 3)' ('{0:n3} s{1}' -f $second, $(if ($ordered) { ', in order' } else { ', NOT IN ORDER' })) '' '' ('{0:n2}x faster than -Parallel' -f ($fep / $second)) '<= 1.02 s'

Write-Host 'trivial items...'
$inputs = 1..$TrivialItems
$null = $inputs | Select-Object -First 2000 | Invoke-ParallelJob { $_ * 2 }
$null = $inputs | Select-Object -First 2000 | ForEach-Object { $_ * 2 }
# The floor no binary cmdlet can go under: one with Invoke-ParallelJob's parameters that only binds each
# piped item and writes its value back, as a new object, the way a result is (PowerShell wraps whatever a
# cmdlet writes in a new PSObject, which a script's output is spared; writing back the bound PSObject
# itself would skip that). Compiled here, so it always has the parameters the module has today.
$floorType = New-FloorCmdlet
Import-Module -Assembly $floorType.Assembly
$null = $inputs | Select-Object -First 2000 | Test-ParallelJobsFloor { }
Wait-Quiet
$pj = [double]::MaxValue; $fe = [double]::MaxValue; $floor = [double]::MaxValue; $pjNull = [double]::MaxValue; $feNull = [double]::MaxValue
# Best of 5, all interleaved, so that a slow spell of the machine (or a grown heap) hits each of them alike.
foreach ($i in 1..5) {
    $fe = [math]::Min($fe, (Seconds { $null = $inputs | ForEach-Object { $_ * 2 } }))
    $pj = [math]::Min($pj, (Seconds { $null = $inputs | Invoke-ParallelJob { $_ * 2 } }))
    $floor = [math]::Min($floor, (Seconds { $null = $inputs | Test-ParallelJobsFloor { $_ * 2 } }))
    # Results dropped as they come (> $null, which adds no command of its own), not kept: what is left
    # once the garbage collector need not hold on to them.
    $feNull = [math]::Min($feNull, (Seconds { $inputs | ForEach-Object { $_ * 2 } > $null }))
    $pjNull = [math]::Min($pjNull, (Seconds { $inputs | Invoke-ParallelJob { $_ * 2 } > $null }))
}
$sample = 1..$ParallelSample
$fepTrivial = Seconds { $null = $sample | ForEach-Object -Parallel { $_ * 2 } }
$pjUs = $pj * 1e6 / $TrivialItems; $feUs = $fe * 1e6 / $TrivialItems; $fepUs = $fepTrivial * 1e6 / $ParallelSample
Add-Row "trivial: $TrivialItems x { `$_ * 2 }, ordered, results kept (best of 5)" ('{0:n2} us/item' -f $pjUs) ('{0:n0} us/item ({1} items)' -f $fepUs, $ParallelSample) ('{0:n2} us/item' -f $feUs) ('{0:n2}x sequential; {1:n0}x faster than -Parallel' -f ($pjUs / $feUs), ($fepUs / $pjUs)) '<= 1.0x; >= 300x'
Add-Row "trivial, output dropped with > `$null (nothing kept; best of 5)" ('{0:n2} us/item' -f ($pjNull * 1e6 / $TrivialItems)) '' ('{0:n2} us/item' -f ($feNull * 1e6 / $TrivialItems)) ('{0:n2}x sequential' -f ($pjNull / $feNull)) '(no target)'
$floorUs = $floor * 1e6 / $TrivialItems
Add-Row 'floor: a cmdlet with the same parameters that only binds each item and writes its value back' ('{0:n2} us/item' -f $floorUs) '' ('{0:n2} us/item' -f $feUs) ('{0:n2}x sequential' -f ($floorUs / $feUs)) '(no target)'

Write-Host 'CPU-bound items...'
# Each item hashes the same 2 MB buffer (shared by reference, so the work is CPU, not allocation and GC).
$data = [byte[]]::new(2MB)
[System.Random]::new(7).NextBytes($data)
$cpuScript = {
    $sha = [System.Security.Cryptography.SHA256]::Create()
    try {
        $hash = $sha.ComputeHash($using:data)
        for ($i = 0; $i -lt 4; $i++) { $hash = $sha.ComputeHash($using:data) }
        '{0}:{1}' -f $_, [System.BitConverter]::ToString($hash, 0, 4)
    }
    finally { $sha.Dispose() }
}
$cpuItems = 1..200
# A sequential loop reads the caller's $data directly: $using: only exists in parallel and remote runs.
$seqScript = [scriptblock]::Create($cpuScript.ToString().Replace('$using:data', '$data'))
$null = 1..4 | Invoke-ParallelJob $cpuScript -ThrottleLimit ([Environment]::ProcessorCount)
Wait-Quiet
# Best of three each, interleaved: the first runs still share the cores with the JIT's background tier-up.
$pjCpu = [double]::MaxValue; $fepCpu = [double]::MaxValue; $seqCpu = [double]::MaxValue
foreach ($i in 1..3) {
    # CPU-bound: one worker per core, as the help advises (the default of 5 is for waiting work).
    $pjCpu = [math]::Min($pjCpu, (Seconds { $null = $cpuItems | Invoke-ParallelJob $cpuScript -ThrottleLimit ([Environment]::ProcessorCount) }))
    $fepCpu = [math]::Min($fepCpu, (Seconds { $null = $cpuItems | ForEach-Object -Parallel $cpuScript -ThrottleLimit ([Environment]::ProcessorCount) }))
    $seqCpu = [math]::Min($seqCpu, (Seconds { $null = $cpuItems | ForEach-Object $seqScript }))
}
Add-Row 'cpu: 200 items, each hashes 2 MB five times (best of 3)' ('{0:n3} s' -f $pjCpu) ('{0:n3} s' -f $fepCpu) ('{0:n3} s' -f $seqCpu) ('{0:n2}x faster than sequential' -f ($seqCpu / $pjCpu)) '>= 1.8x'

Write-Host 'new runspace per item...'
$nr = 1..1000
$null = 1..50 | Invoke-ParallelJob -UseNewRunspace -ThrottleLimit 2 { $_ }
$null = 1..50 | ForEach-Object -Parallel { $_ } -UseNewRunspace -ThrottleLimit 2
Wait-Quiet
$pjNew = Seconds { $null = $nr | Invoke-ParallelJob -UseNewRunspace -ThrottleLimit 2 { $_ } }
$fepNew = Seconds { $null = $nr | ForEach-Object -Parallel { $_ } -UseNewRunspace -ThrottleLimit 2 }
Add-Row '-UseNewRunspace: 1,000 items, 2 at a time' ('{0:n3} s' -f $pjNew) ('{0:n3} s' -f $fepNew) '' ('{0:n2}x the time of -Parallel' -f ($pjNew / $fepNew)) '<= 0.5x'

Write-Host 'memory...'
$measure = {
    param($Run)
    $p = [System.Diagnostics.Process]::GetCurrentProcess()
    "[GC]::Collect(); `$p = [System.Diagnostics.Process]::GetCurrentProcess(); `$null = 1..1000 | Invoke-ParallelJob { `$_ }; [GC]::Collect(); `$p.Refresh(); `$idle = `$p.WorkingSet64; " +
    "`$sw = [System.Diagnostics.Stopwatch]::StartNew(); $Run; `$p.Refresh(); '{0:n0};{1:n1}' -f ((`$p.PeakWorkingSet64 - `$idle) / 1MB), `$sw.Elapsed.TotalSeconds"
}
$unordered = (Invoke-Child (& $measure "1..$MemoryItems | Invoke-ParallelJob -Unordered { `$_ * 2 } | Out-Null")) -split ';'
$slowFirst = (Invoke-Child (& $measure "1..$MemoryItems | Invoke-ParallelJob { if (`$_ -eq 1) { Start-Sleep -Seconds 3 }; `$_ * 2 } | Out-Null")) -split ';'
$seqMem = (Invoke-Child (& $measure "1..$MemoryItems | ForEach-Object { `$_ * 2 } | Out-Null")) -split ';'
Add-Row "memory: $MemoryItems items -Unordered, peak above idle" ("$($unordered[0]) MB ($($unordered[1]) s)") '' ("$($seqMem[0]) MB ($($seqMem[1]) s)") '' '<= 150 MB'
Add-Row "memory: $MemoryItems items ordered, first item slow (3 s)" ("$($slowFirst[0]) MB ($($slowFirst[1]) s)") '' '' '' '<= 150 MB'

$machine = "$([Environment]::ProcessorCount) cores, $([Environment]::OSVersion.VersionString)"
if ($IsLinux) { $machine = "$([Environment]::ProcessorCount) cores, $([math]::Round(((Get-Content /proc/meminfo -TotalCount 1) -replace '\D', '') / 1MB)) GiB, $((Get-Content /etc/os-release | Where-Object { $_ -like 'PRETTY_NAME=*' }) -replace 'PRETTY_NAME=|\"', '')" }
"Measured $(Get-Date -Format 'yyyy-MM-dd') on $machine, PowerShell $($PSVersionTable.PSVersion)"
$rows | Format-Table -AutoSize -Wrap | Out-String -Width 250
