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
.DESCRIPTION
    -Part Entities: -EntityCount entities x 3 APIs through -Request at -ThrottleLimit, each request answered after
    -DelayMs (limit EntityCount * 3 / ThrottleLimit * DelayMs: 0.6 s for 200 x 3 at 50 wide; target 0.75 s).
    -Part Rate: -RateRequests requests at -RatePerSecond to one host, the rate measured by the server from the
    arrival times of the requests (target: within 5 %).
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Bench-Web.ps1 -ModulePath out/ParallelJobs/ParallelJobs.psd1
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Bench-Web.ps1 -ModulePath out/ParallelJobs/ParallelJobs.psd1 -Part Entities, Rate
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Count = 1000,
    [int] $ThrottleLimit = 50,
    [int] $DelayMs = 50,
    [int] $Repeat = 5,
    [int] $SequentialSample = 50,
    [ValidateSet('Requests', 'Entities', 'Rate')] [string[]] $Part = @('Requests', 'Entities', 'Rate'),
    [int] $EntityCount = 200,
    [double] $RatePerSecond = 20,
    [int] $RateRequests = 100
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
  if ($Part -contains 'Requests') {
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

  if ($Part -contains 'Entities') {
    # Data per entity: three APIs per entity, one object per entity, all requests under one throttle.
    $base = $server.BaseUri
    $request = [ordered]@{
        Transactions = "$base/api/transactions/{0}?ms=$DelayMs"
        ItemsBought  = "$base/api/items/{0}?ms=$DelayMs"
        Events       = "$base/api/events/{0}?ms=$DelayMs"
    }
    $ids = 1..$EntityCount
    $entityLimit = [math]::Ceiling($EntityCount * $request.Count / $ThrottleLimit) * $DelayMs / 1000
    $null = $ids | Select-Object -First 50 | Invoke-ParallelWebRequest -ThrottleLimit $ThrottleLimit -Request $request
    $times = foreach ($i in 1..$Repeat) {
        $run = Measure-Seconds { $ids | Invoke-ParallelWebRequest -ThrottleLimit $ThrottleLimit -Request $request }
        $bad = @($run.Output | Where-Object { $_.Errors.Count -or -not $_.Events })
        if (@($run.Output).Count -ne $EntityCount -or $bad.Count -or $run.Output[-1].Input -ne $EntityCount) { throw 'Invoke-ParallelWebRequest -Request returned the wrong entities.' }
        $run.Seconds
    }
    $typical = Get-Median $times
    Write-Host ("{0} entities x {1} APIs (each request {2} ms) at -ThrottleLimit {3}: physical limit {4:0.00} s, target {5:0.00} s." -f $EntityCount, $request.Count, $DelayMs, $ThrottleLimit, $entityLimit, ($entityLimit * 1.25))
    [pscustomobject]@{ Way = "Invoke-ParallelWebRequest -Request (3 templates) -ThrottleLimit $ThrottleLimit"; Entities = $EntityCount; Requests = $EntityCount * $request.Count
        'Best (s)' = '{0:0.000}' -f ($times | Measure-Object -Minimum).Minimum; 'Typical (s)' = '{0:0.000}' -f $typical; 'x limit' = '{0:0.00}' -f ($typical / $entityLimit); Runs = $Repeat } |
        Format-Table -AutoSize | Out-String -Width 200 | Write-Host
  }

  if ($Part -contains 'Rate') {
    # -RatePerSecond measured by the server: arrival times of the requests, first to last.
    $base = $server.BaseUri
    $null = 1..20 | ForEach-Object { "$base/rate/warmup" } | Invoke-ParallelWebRequest -ThrottleLimit $ThrottleLimit
    $rates = foreach ($i in 1..[math]::Max(1, [math]::Min($Repeat, 3))) {
        $key = [guid]::NewGuid().ToString('n')
        $null = 1..$RateRequests | ForEach-Object { "$base/rate/$key" } | Invoke-ParallelWebRequest -ThrottleLimit $ThrottleLimit -RatePerSecond $RatePerSecond
        $arrivals = [double[]](Invoke-RestMethod "$base/rate-hits/$key").times | Sort-Object
        if ($arrivals.Count -ne $RateRequests) { throw "The server saw $($arrivals.Count) requests, not $RateRequests." }
        ($arrivals.Count - 1) / (($arrivals[-1] - $arrivals[0]) / 1000)
    }
    $measured = Get-Median $rates
    [pscustomobject]@{ Way = "Invoke-ParallelWebRequest -RatePerSecond $RatePerSecond -ThrottleLimit $ThrottleLimit"; Requests = $RateRequests
        'Measured (per s)' = '{0:0.00}' -f $measured; 'Off by' = '{0:+0.0;-0.0} %' -f (($measured / $RatePerSecond - 1) * 100)
        'All runs' = ($rates | ForEach-Object { '{0:0.00}' -f $_ }) -join ', ' } |
        Format-Table -AutoSize | Out-String -Width 200 | Write-Host
  }
}
finally {
    Stop-WebTestServer $server
}
