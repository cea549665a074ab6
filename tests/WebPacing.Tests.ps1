# -RatePerSecond (per host for Invoke-ParallelWebRequest, per run for Invoke-ParallelJob) and run-wide Retry-After
# pauses. The server records when each request arrived; bounds are generous, as the machine is shared.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    $ErrorActionPreference = 'Continue'
    . (Join-Path $PSScriptRoot 'WebTestServer.ps1')
    $script:server = Start-WebTestServer
    $script:base = $server.BaseUri
    $script:other = "http://localhost:$($server.Port)"
    function New-Key { [guid]::NewGuid().ToString('n') }
    function Get-Arrivals([string] $Key) { [double[]](Invoke-ParallelWebRequest "$base/rate-hits/$Key").Content.times }
    # Warm up: the pacer spaces start times, so a first run's JIT and connection setup would bunch its first arrivals.
    $null = 1..8 | ForEach-Object { "$base/rate/warmup" } | Invoke-ParallelWebRequest -ThrottleLimit 8
}

AfterAll {
    Stop-WebTestServer $server
}

Describe 'Invoke-ParallelWebRequest -RatePerSecond' {
    It 'spaces the requests to a host as the rate says, with many workers' {
        $key = New-Key
        $null = 1..16 | ForEach-Object { "$base/rate/$key" } | Invoke-ParallelWebRequest -RatePerSecond 10 -ThrottleLimit 8
        $times = Get-Arrivals $key
        $times | Should -HaveCount 16
        $span = ($times | Measure-Object -Maximum).Maximum - ($times | Measure-Object -Minimum).Minimum
        # 15 gaps of 100 ms: 1.5 s; unpaced, 16 local requests at 8 wide take a few ms. The pacer spaces the starts,
        # so on a loaded machine a late first request shortens the span the server sees: the bound leaves room.
        $span | Should -BeGreaterThan 1000
        $span | Should -BeLessThan 4000
    }

    It 'paces each host on its own' {
        $a = New-Key; $b = New-Key
        $uris = 1..5 | ForEach-Object { "$base/rate/$a"; "$other/rate/$b" }
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $null = $uris | Invoke-ParallelWebRequest -RatePerSecond 4 -ThrottleLimit 4
        $watch.Stop()
        foreach ($key in $a, $b) {
            $times = Get-Arrivals $key
            $times | Should -HaveCount 5
            (($times | Measure-Object -Maximum).Maximum - ($times | Measure-Object -Minimum).Minimum) | Should -BeGreaterThan 850
        }
        # Paced together, ten requests at 4 per second would take 2.25 s.
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 2.1
    }

    It 'holds back every later request to a host after a 429 with Retry-After, not only the item that got it' -TestCases @(
        @{ Code = 429 }, @{ Code = 503 }
    ) {
        param($Code)
        $key = New-Key
        $uris = @("$base/pause/$($key)?after=2&code=$Code") + (1..3 | ForEach-Object { "$base/rate/$key" })
        $responses = $uris | Invoke-ParallelWebRequest -ThrottleLimit 1 -ErrorVariable failed 2>$null
        $failed | Should -HaveCount 1
        $responses | Should -HaveCount 3
        $times = Get-Arrivals $key
        $times | Should -HaveCount 4
        # The first answer asked for 2 s; the next request, another item's, waited for it.
        ($times[1] - $times[0]) | Should -BeGreaterThan 1700
    }

    It 'does not hold back another host' {
        $key = New-Key; $free = New-Key
        $uris = "$base/pause/$($key)?after=3", "$other/rate/$free"
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $null = $uris | Invoke-ParallelWebRequest -ThrottleLimit 1 2>$null
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 2.5
        Get-Arrivals $free | Should -HaveCount 1
    }

    It 'does not count the wait for the rate toward -ItemTimeoutSeconds' {
        $key = New-Key
        # Six requests at 3 per second: the last waits about 1.7 s for its turn, longer than its 1 s timeout.
        $responses = 1..6 | ForEach-Object { "$base/rate/$key" } |
            Invoke-ParallelWebRequest -RatePerSecond 3 -ThrottleLimit 6 -ItemTimeoutSeconds 1 -ErrorVariable failed 2>$null
        $failed | Should -HaveCount 0
        $responses | Should -HaveCount 6
    }

    It 'does not count the wait for the rate toward the timeout of a request of -Request' {
        $key = New-Key
        $entities = 1, 2 | Invoke-ParallelWebRequest -RatePerSecond 3 -ThrottleLimit 2 -ItemTimeoutSeconds 1 -ErrorVariable failed -Request ([ordered]@{
                A = "$base/rate/$key"; B = "$base/rate/$($key)?b={0}"; C = "$base/rate/$($key)?c={0}" }) 2>$null
        $failed | Should -HaveCount 0
        ($entities | ForEach-Object { $_.Errors.Count }) | Should -Be @(0, 0)
        Get-Arrivals $key | Should -HaveCount 6
    }

    It 'pauses the retry of the item that got the 429 as well' {
        $key = New-Key
        $response = Invoke-ParallelWebRequest "$base/pause/$($key)?after=1" -RetryCount 1 -RetryDelay 0
        $response.Attempts | Should -Be 2
        $times = Get-Arrivals $key
        ($times[1] - $times[0]) | Should -BeGreaterThan 800
    }
}

Describe 'Invoke-ParallelJob -RatePerSecond' {
    It 'starts at most N items per second over the whole run, with the output of ForEach-Object -Parallel' {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $ours = 1..11 | Invoke-ParallelJob { [pscustomobject]@{ N = $_ * 2; At = [DateTime]::UtcNow } } -RatePerSecond 10 -ThrottleLimit 4
        $watch.Stop()
        $reference = 1..11 | ForEach-Object -Parallel { $_ * 2 } -ThrottleLimit 4 | Sort-Object
        $ours.N | Should -Be $reference
        $starts = $ours.At | Sort-Object
        # 10 gaps of 100 ms.
        ($starts[-1] - $starts[0]).TotalSeconds | Should -BeGreaterThan 0.85
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
    }

    It 'paces every item of a batch' {
        $ours = 1..6 | Invoke-ParallelJob { [DateTime]::UtcNow } -RatePerSecond 5 -BatchSize 3 -ThrottleLimit 2
        $starts = $ours | Sort-Object
        ($starts[-1] - $starts[0]).TotalSeconds | Should -BeGreaterThan 0.85
    }

    It 'leaves running items alone: a slow item does not slow the starts of the others' {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $null = 1..4 | Invoke-ParallelJob { Start-Sleep -Milliseconds 600 } -RatePerSecond 10 -ThrottleLimit 4
        # Started 100 ms apart and run side by side: about 0.9 s, where one at a time would be 2.4 s.
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 2.2
    }
}
