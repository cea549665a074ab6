# Invoke-ParallelCrawl's pacing per origin: robots.txt Crawl-delay, -RatePerSecond, and a Retry-After that
# holds back the whole origin. The local test server (tests/TestServer/CrawlSites.cs) logs when each /csite
# page was asked for; bounds are generous (a loaded machine is slower, never faster).

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    $ErrorActionPreference = 'Continue'
    . (Join-Path $PSScriptRoot 'WebTestServer.ps1')
    $script:server = Start-WebTestServer
    $script:base = $server.BaseUri

    function Set-Robots([string] $Text) { $null = Invoke-RestMethod -Method Post -Uri "$base/csite-robots" -Body $Text -ContentType 'text/plain' }

    # The requests since the last call: path and milliseconds, in order.
    function Get-Requested { Invoke-RestMethod "$base/csite-log?reset=1" }

    # The smallest gap between two requests in a row, in milliseconds.
    function Get-MinGap($Requests) {
        $times = @($Requests.ms | Sort-Object)
        $gaps = for ($i = 1; $i -lt $times.Count; $i++) { $times[$i] - $times[$i - 1] }
        ($gaps | Measure-Object -Minimum).Minimum
    }

    $null = Get-Requested
}

AfterAll {
    Stop-WebTestServer $server
}

Describe 'Invoke-ParallelCrawl pacing' {
    It 'spaces the requests to an origin by its robots.txt Crawl-delay, however many workers there are' {
        Set-Robots "User-agent: *`nCrawl-delay: 0.5`nAllow: /`n"
        $null = Get-Requested
        $pages = Invoke-ParallelCrawl "$base/csite/pace/index.html" -Depth 1 -ThrottleLimit 8 -MaxPerHost 8
        $pages | Should -HaveCount 7
        $requests = Get-Requested
        $requests | Should -HaveCount 7
        Get-MinGap $requests | Should -BeGreaterOrEqual 400
    }

    It 'takes the Crawl-delay of the ParallelJobs group over the * group''s' {
        Set-Robots "User-agent: *`nCrawl-delay: 30`n`nUser-agent: ParallelJobs`nCrawl-delay: 0.3`nAllow: /`n"
        $null = Get-Requested
        $elapsed = Measure-Command { $pages = Invoke-ParallelCrawl "$base/csite/pace/index.html" -Depth 1 -ThrottleLimit 4 }
        $pages | Should -HaveCount 7
        $elapsed.TotalSeconds | Should -BeLessThan 15
        Get-MinGap (Get-Requested) | Should -BeGreaterOrEqual 250
    }

    It 'starts at most -RatePerSecond requests a second to an origin' {
        $null = Get-Requested
        $pages = Invoke-ParallelCrawl "$base/csite/pace/index.html" -Depth 1 -ThrottleLimit 8 -MaxPerHost 8 -RatePerSecond 4 -IgnoreRobots
        $pages | Should -HaveCount 7
        $requests = Get-Requested
        Get-MinGap $requests | Should -BeGreaterOrEqual 200
        ($requests.ms | Measure-Object -Maximum).Maximum - ($requests.ms | Measure-Object -Minimum).Minimum | Should -BeGreaterOrEqual 1350
    }

    It 'uses the longer of -RatePerSecond and Crawl-delay' {
        Set-Robots "User-agent: *`nCrawl-delay: 0.4`nAllow: /`n"
        $null = Get-Requested
        $null = Invoke-ParallelCrawl "$base/csite/pace/index.html" -Depth 1 -ThrottleLimit 8 -RatePerSecond 20
        Get-MinGap (Get-Requested) | Should -BeGreaterOrEqual 320
    }

    It 'does not count the wait for the origin''s turn against -ItemTimeoutSeconds' {
        Set-Robots "User-agent: *`nCrawl-delay: 1`nAllow: /`n"
        $pages = Invoke-ParallelCrawl "$base/csite/pace/index.html", "$base/csite/pace/1.html", "$base/csite/pace/2.html", "$base/csite/pace/3.html" -Depth 0 -ThrottleLimit 4 -ItemTimeoutSeconds 1.5 -ErrorVariable errs
        $errs | Should -HaveCount 0
        $pages | Should -HaveCount 4
    }

    It 'holds back every page of an origin that answered 429 with Retry-After, not only the page that got it' {
        Set-Robots "User-agent: *`nAllow: /`n"
        $null = Get-Requested
        $pages = Invoke-ParallelCrawl "$base/csite/busy/index.html" -Depth 1 -ThrottleLimit 1 -RetryCount 1 -RetryDelay 0.1 -ErrorVariable errs
        $errs | Should -HaveCount 0
        ($pages | Where-Object { $_.Uri.AbsolutePath -eq '/csite/busy/limited.html' }).StatusCode | Should -Be 200
        $requests = Get-Requested
        $refused = ($requests | Where-Object path -eq '/csite/busy/limited.html')[0].ms
        $next = ($requests | Where-Object { $_.ms -gt $refused } | Select-Object -First 1)
        $next.ms - $refused | Should -BeGreaterOrEqual 1700
    }
}
