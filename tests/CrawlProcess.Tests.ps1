# Invoke-ParallelCrawl -Process: a script block per fetched page on the worker pool, its output in discovery
# order; where ForEach-Object -Parallel has the behaviour (variables, errors), the same script runs through it.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    $ErrorActionPreference = 'Continue'
    . (Join-Path $PSScriptRoot 'WebTestServer.ps1')
    $script:server = Start-WebTestServer
    $script:base = $server.BaseUri
    $null = Invoke-RestMethod -Method Post -Uri "$base/csite-robots" -Body "User-agent: *`nAllow: /`n" -ContentType 'text/plain'
}

AfterAll {
    Stop-WebTestServer $server
}

Describe 'Invoke-ParallelCrawl -Process' {
    It 'writes the script''s output for each page in discovery order' {
        $pages = Invoke-ParallelCrawl "$base/site/index.html" -Depth 2 -ThrottleLimit 1
        $out = Invoke-ParallelCrawl "$base/site/index.html" -Depth 2 -ThrottleLimit 1 -Process { "$($_.Depth) $($_.Uri)" }
        $out | Should -Be @($pages | ForEach-Object { "$($_.Depth) $($_.Uri)" })
    }

    It 'keeps discovery order with many workers: no page comes before the page that linked to it' {
        $result = Invoke-ParallelCrawl "$base/site/index.html" -Depth 3 -ThrottleLimit 6 -AsResult -Process { [pscustomobject]@{ Uri = "$($_.Uri)"; Referrer = "$($_.Referrer)" } }
        $result.Index | Should -Be (0..($result.Count - 1))
        $seenAt = @{}
        foreach ($r in $result) {
            $r.Output | Should -HaveCount 1
            if ($r.Output[0].Referrer) { $seenAt.ContainsKey($r.Output[0].Referrer) | Should -BeTrue }
            $seenAt[$r.Output[0].Uri] = $r.Index
        }
        $result.Output.Uri | Sort-Object | Should -Be ((Invoke-ParallelCrawl "$base/site/index.html" -Depth 3).Uri.AbsoluteUri | Sort-Object)
    }

    It 'gives the page as $_, as the first argument, and to a param block' {
        Invoke-ParallelCrawl "$base/site/c.html" -Depth 0 -Process { "$($_.Title)|$($args[0].Title)" } | Should -Be 'Page C|Page C'
        Invoke-ParallelCrawl "$base/site/c.html" -Depth 0 -Process { param($page) "$($_.Title)|$($page.Title)" } | Should -Be 'Page C|Page C'
        Invoke-ParallelCrawl "$base/site/c.html" -Depth 0 -Process { process { $_.Title } } | Should -Be 'Page C'
    }

    It 'runs in worker runspaces, at most one per worker, in the caller''s location' {
        $caller = [runspace]::DefaultRunspace.InstanceId
        Push-Location $TestDrive
        try {
            $out = Invoke-ParallelCrawl "$base/site/index.html" -Depth 2 -ThrottleLimit 3 -Process { [pscustomobject]@{ Id = [runspace]::DefaultRunspace.InstanceId; Location = (Get-Location).Path } }
        }
        finally { Pop-Location }
        $out | Should -HaveCount @(Invoke-ParallelCrawl "$base/site/index.html" -Depth 2).Count
        $out.Id | Should -Not -Contain $caller
        @($out.Id | Sort-Object -Unique).Count | Should -BeLessOrEqual 3
        $out.Location | Sort-Object -Unique | Should -Be (Get-Item $TestDrive).FullName
    }

    It 'does not see the caller''s variables, as ForEach-Object -Parallel does not' {
        $secret = 'caller'
        $expected = 'page' | ForEach-Object -Parallel { "[$secret]" }
        Invoke-ParallelCrawl "$base/site/c.html" -Depth 0 -Process { "[$secret]" } | Should -Be $expected
    }

    It 'reads $using: values from the caller, as ForEach-Object -Parallel does' {
        $secret = 'caller'
        $list = 'a', 'b', 'c'
        $expected = 'page' | ForEach-Object -Parallel { "[$using:secret|$($using:list[1])|$($using:list.Count)]" }
        Invoke-ParallelCrawl "$base/site/c.html" -Depth 0 -Process { "[$using:secret|$($using:list[1])|$($using:list.Count)]" } | Should -Be $expected
    }

    It 'stops before fetching anything when a $using: variable is undefined, as ForEach-Object -Parallel does' {
        $expected = try { $ErrorActionPreference = 'Stop'; 'page' | ForEach-Object -Parallel { $using:notDefinedAnywhere } } catch { $_ }
        $null = Invoke-RestMethod "$base/csite-log?reset=1"
        $err = try { Invoke-ParallelCrawl "$base/csite/docs/a.html" -Depth 0 -Process { $using:notDefinedAnywhere } } catch { $_ }
        $expected.FullyQualifiedErrorId | Should -BeLike 'UsingVariableIsUndefined*'
        $err.FullyQualifiedErrorId.Split(',')[0] | Should -Be $expected.FullyQualifiedErrorId.Split(',')[0]
        Invoke-RestMethod "$base/csite-log" | Should -BeNullOrEmpty
    }

    It 'writes the script''s errors and warnings with its page, as ForEach-Object -Parallel does' {
        $expected = 'Page C' | ForEach-Object -Parallel { Write-Error "bad $_"; 'after' } 2>&1
        $out = Invoke-ParallelCrawl "$base/site/c.html" -Depth 0 -Process { Write-Warning "careful $($_.Title)"; Write-Error "bad $($_.Title)"; 'after' } -ErrorVariable errs -WarningVariable warnings -WarningAction SilentlyContinue
        $out | Should -Be 'after'
        $errs | Should -HaveCount 1
        $errs[0].Exception.Message | Should -Be $expected[0].Exception.Message
        $warnings.Message | Should -Be 'careful Page C'
    }

    It 'fails only the page whose script throws, and goes on with the others' {
        $out = Invoke-ParallelCrawl "$base/site/index.html" -Depth 1 -ThrottleLimit 2 -Process { if ($_.Title -eq 'Page A') { throw 'no A' }; $_.Uri.AbsolutePath } -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs | Should -HaveCount 1
        $errs[0].Exception.Message | Should -Be 'no A'
        $errs[0].TargetObject.Uri.AbsoluteUri | Should -Be "$base/site/a.html"
        $out | Should -Contain '/site/index.html'
        $out | Should -Contain '/site/b.html'
        $out | Should -Not -Contain '/site/a.html'
        # Page A's links were still followed (its fetch worked, only its script failed): missing.html is linked from A only.
        $out = Invoke-ParallelCrawl "$base/site/a.html" -Depth 1 -Process { if ($_.Title -eq 'Page A') { throw 'no A' }; $_.Uri.AbsolutePath } -ErrorAction SilentlyContinue
        $out | Should -Contain '/site/missing.html'
    }

    It 'stops a script that outlives -ItemTimeoutSeconds' {
        $elapsed = Measure-Command {
            $out = Invoke-ParallelCrawl "$base/site/c.html" -Depth 0 -ItemTimeoutSeconds 1 -Process { Start-Sleep 30; 'late' } -ErrorVariable errs -ErrorAction SilentlyContinue
        }
        $elapsed.TotalSeconds | Should -BeLessThan 15
        $out | Should -BeNullOrEmpty
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'ItemTimedOut*'
    }

    It 'works with -IncludeContent, which the script reads' {
        $out = Invoke-ParallelCrawl "$base/csite/docs/a.html" -Depth 0 -IncludeContent -Process { if ($_.Content -match '<h1>([^<]+)</h1>') { $Matches[1] } }
        $out | Should -Be 'Doc A'
    }
}
