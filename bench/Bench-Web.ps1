<#
.SYNOPSIS
    Benchmarks Invoke-ParallelWebRequest against ForEach-Object -Parallel { Invoke-RestMethod } and a
    sequential loop, on the local test server (tests/TestServer), which answers /delay/50 after 50 ms.
.DESCRIPTION
    1,000 GETs at -ThrottleLimit 50 of requests that each take 50 ms cannot finish in under
    1000 / 50 * 50 ms = 1.0 s: that is the physical limit. Each parallel way is run -Repeat times after a
    warm-up; the table gives the best and the median (typical) time. The sequential loop runs only
    -SequentialSample requests and its time is extrapolated to -Count (marked as such).
    Everything runs on this machine: the server binds 127.0.0.1 and is stopped at the end.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Bench-Web.ps1 -ModulePath out/ParallelJobs/ParallelJobs.psd1
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Count = 1000,
    [int] $ThrottleLimit = 50,
    [int] $DelayMs = 50,
    [int] $Repeat = 5,
    [int] $SequentialSample = 50
)

$ErrorActionPreference = 'Stop'
Import-Module (Resolve-Path $ModulePath).Path -Force
. (Join-Path $PSScriptRoot '../tests/WebTestServer.ps1')

function Measure-Seconds([scriptblock] $Block) {
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $out = & $Block
    $watch.Stop()
    [pscustomobject]@{ Seconds = $watch.Elapsed.TotalSeconds; Output = $out }
}

function Get-Median([double[]] $Values) {
    $sorted = $Values | Sort-Object
    $sorted[[int][math]::Floor(($sorted.Count - 1) / 2)]
}

$server = Start-WebTestServer
try {
    $uris = 1..$Count | ForEach-Object { "$($server.BaseUri)/delay/$($DelayMs)?n=$_" }
    $limit = [math]::Ceiling($Count / $ThrottleLimit) * $DelayMs / 1000
    $rows = [System.Collections.Generic.List[object]]::new()

    # The floor on this machine right now: bare async HttpClient, the same requests in flight, no PowerShell per item.
    Add-Type -TypeDefinition @'
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
public static class WebBenchFloor
{
    public static int Run(string[] uris, int limit)
    {
        using var client = new HttpClient();
        using var gate = new SemaphoreSlim(limit);
        var tasks = uris.Select(async u =>
        {
            await gate.WaitAsync();
            try { return (await client.GetStringAsync(u)).Length; }
            finally { gate.Release(); }
        }).ToArray();
        Task.WaitAll(tasks);
        return tasks.Length;
    }
}
'@
    # Invoke-ParallelWebRequest and the floor, interleaved so both see the same machine load.
    $null = $uris | Select-Object -First 200 | Invoke-ParallelWebRequest -ThrottleLimit $ThrottleLimit
    $null = [WebBenchFloor]::Run([string[]]($uris | Select-Object -First 200), $ThrottleLimit)
    $ours = [System.Collections.Generic.List[double]]::new()
    $floor = [System.Collections.Generic.List[double]]::new()
    foreach ($i in 1..$Repeat) {
        $run = Measure-Seconds { $uris | Invoke-ParallelWebRequest -ThrottleLimit $ThrottleLimit }
        if (@($run.Output).Count -ne $Count -or $run.Output[-1].Uri.AbsoluteUri -ne $uris[-1]) { throw 'Invoke-ParallelWebRequest returned the wrong responses.' }
        $ours.Add($run.Seconds)
        $floor.Add((Measure-Seconds { [WebBenchFloor]::Run([string[]]$uris, $ThrottleLimit) }).Seconds)
    }
    $rows.Add([pscustomobject]@{ Way = "Invoke-ParallelWebRequest -ThrottleLimit $ThrottleLimit"; Requests = $Count; Best = ($ours | Measure-Object -Minimum).Minimum; Typical = Get-Median $ours; Runs = $Repeat; Note = 'measured, ordered' })
    $floorRow = [pscustomobject]@{ Way = "bare HttpClient, $ThrottleLimit async requests in flight (floor)"; Requests = $Count; Best = ($floor | Measure-Object -Minimum).Minimum; Typical = Get-Median $floor; Runs = $Repeat; Note = 'measured, C# with no PowerShell, for reference' }

    # ForEach-Object -Parallel with Invoke-RestMethod: a runspace per item, a new connection per request.
    $null = $uris | Select-Object -First 100 | ForEach-Object -Parallel { Invoke-RestMethod $_ } -ThrottleLimit $ThrottleLimit
    $parallelRepeat = [math]::Max(1, [math]::Min($Repeat, 3))
    $times = foreach ($i in 1..$parallelRepeat) {
        $run = Measure-Seconds { $uris | ForEach-Object -Parallel { Invoke-RestMethod $_ } -ThrottleLimit $ThrottleLimit }
        if (@($run.Output).Count -ne $Count) { throw 'ForEach-Object -Parallel returned the wrong number of responses.' }
        $run.Seconds
    }
    $rows.Add([pscustomobject]@{ Way = "ForEach-Object -Parallel { Invoke-RestMethod } -ThrottleLimit $ThrottleLimit"; Requests = $Count; Best = ($times | Measure-Object -Minimum).Minimum; Typical = Get-Median $times; Runs = $parallelRepeat; Note = 'measured, unordered' })

    $rows.Add($floorRow)

    # Sequential Invoke-RestMethod: a sample, extrapolated.
    $sample = $uris | Select-Object -First $SequentialSample
    $null = Invoke-RestMethod $sample[0]
    $run = Measure-Seconds { $sample | ForEach-Object { Invoke-RestMethod $_ } }
    $scaled = $run.Seconds * $Count / $SequentialSample
    $rows.Add([pscustomobject]@{ Way = 'ForEach-Object { Invoke-RestMethod } (sequential)'; Requests = $Count; Best = $scaled; Typical = $scaled; Runs = 1; Note = "extrapolated from $SequentialSample requests" })

    $load = if (Test-Path /proc/loadavg) { '; load average ' + ((Get-Content /proc/loadavg).Split(' ')[0..2] -join ' ') } else { '' }
    Write-Host ("{0} GETs of /delay/{1} (each answered after {1} ms) at -ThrottleLimit {2}; physical limit {3:0.00} s; {4} cores{5}." -f $Count, $DelayMs, $ThrottleLimit, $limit, [Environment]::ProcessorCount, $load)
    $rows | Format-Table Way, Requests,
        @{ n = 'Best (s)'; e = { '{0:0.000}' -f $_.Best }; a = 'Right' },
        @{ n = 'Typical (s)'; e = { '{0:0.000}' -f $_.Typical }; a = 'Right' },
        @{ n = 'x limit'; e = { '{0:0.00}' -f ($_.Typical / $limit) }; a = 'Right' },
        Runs, Note -AutoSize | Out-String -Width 200 | Write-Host
}
finally {
    Stop-WebTestServer $server
}
