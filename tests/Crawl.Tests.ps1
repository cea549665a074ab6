# Invoke-ParallelCrawl, and a crawl written as a script block with $ParallelJob.Add, against the local test server.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    # The test runner sets 'Stop', which would turn each expected per-item failure into a stop of the run.
    $ErrorActionPreference = 'Continue'
    . (Join-Path $PSScriptRoot 'WebTestServer.ps1')
    $script:server = Start-WebTestServer
    $script:base = $server.BaseUri
    $script:other = "http://localhost:$($server.Port)"

    # Pages of the test site fetched so far, keyed by host:port/path.
    function Get-SiteHits {
        $hits = @{}
        (Invoke-ParallelWebRequest "$base/sitehits").Content.PSObject.Properties | ForEach-Object { $hits[$_.Name] = $_.Value }
        $hits
    }

    function Get-NewHits($Before) {
        $after = Get-SiteHits
        $delta = @{}
        foreach ($key in $after.Keys) {
            $n = $after[$key] - [int]$Before[$key]
            if ($n) { $delta[$key] = $n }
        }
        $delta
    }

    $script:siteAtDepth2 = 'index.html', 'a.html', 'b.html', 'moved.html', 'c.html', 'missing.html', 'deep/d.html' | ForEach-Object { "$base/site/$_" }
}

AfterAll {
    Stop-WebTestServer $server
}

Describe 'Invoke-ParallelCrawl' {
    Context 'Breadth-first, in discovery order' {
        It 'follows links two deep and writes pages in the order they were found' {
            $pages = Invoke-ParallelCrawl -Uri "$base/site/index.html" -Depth 2 -ThrottleLimit 1
            $pages[0] | Should -BeOfType ParallelJobs.ParallelCrawlPage
            $pages.Uri.AbsoluteUri | Should -Be $siteAtDepth2
            $pages.Depth | Should -Be @(0, 1, 1, 1, 2, 2, 2)
            $pages.Title | Select-Object -First 3 | Should -Be @('Home', 'Page A', 'Page B')
            $pages[0].Referrer | Should -BeNullOrEmpty
            $pages[1].Referrer.AbsoluteUri | Should -Be "$base/site/index.html"
            $pages[4].Referrer.AbsoluteUri | Should -Be "$base/site/a.html"
            $pages[6].Referrer.AbsoluteUri | Should -Be "$base/site/b.html"
            $pages[0].ContentType | Should -Be 'text/html'
            $pages[0].Elapsed | Should -BeOfType [timespan]
        }

        It 'finds the same pages at the same depths when fetching in parallel, in index order' {
            $result = Invoke-ParallelCrawl "$base/site/index.html" -Depth 2 -ThrottleLimit 8 -AsResult
            $result.Index | Should -Be (0..6)
            $result.Output.Uri.AbsoluteUri | Sort-Object | Should -Be ($siteAtDepth2 | Sort-Object)
            ($result.Output | Where-Object { $_.Uri.AbsoluteUri -like '*/deep/d.html' }).Depth | Should -Be 2
            ($result.Output | Where-Object { $_.Uri.AbsoluteUri -like '*/site/a.html' }).Depth | Should -Be 1
            # Discovery order never puts a page before the page that linked to it.
            $index = @{}
            foreach ($r in $result) { $index[$r.Output[0].Uri.AbsoluteUri] = $r.Index }
            foreach ($r in $result | Select-Object -Skip 1) { $index[$r.Output[0].Referrer.AbsoluteUri] | Should -BeLessThan $r.Index }
        }

        It 'fetches only the start page with -Depth 0' {
            $pages = Invoke-ParallelCrawl "$base/site/index.html" -Depth 0
            $pages | Should -HaveCount 1
            $pages.Links | Should -Contain "$base/site/a.html"
        }

        It 'reports a redirect as a page and follows its target as a link' {
            $pages = Invoke-ParallelCrawl "$base/site/moved.html" -Depth 1
            $pages[0].StatusCode | Should -Be 301
            $pages[0].Links | Should -Be @("$base/site/c.html")
            $pages[1].Uri.AbsoluteUri | Should -Be "$base/site/c.html"
            $pages[1].Depth | Should -Be 1
        }

        It 'writes a 404 page as a result, not an error' {
            $pages = Invoke-ParallelCrawl "$base/site/a.html" -Depth 1 -ErrorVariable errs
            $errs | Should -HaveCount 0
            ($pages | Where-Object { $_.Uri.AbsoluteUri -like '*/missing.html' }).StatusCode | Should -Be 404
        }
    }

    Context 'Each URL once' {
        It 'never fetches a page twice, through cycles, fragments, case and dot segments' {
            $before = Get-SiteHits
            $pages = Invoke-ParallelCrawl "$base/site/index.html" -Depth 5 -ThrottleLimit 8
            $pages.Uri.AbsoluteUri | Should -HaveCount 8
            ($pages.Uri.AbsoluteUri | Sort-Object -Unique) | Should -HaveCount 8
            $new = Get-NewHits $before
            $new.Values | ForEach-Object { $_ | Should -Be 1 }
            $new.Keys | Where-Object { $_ -like '*/site/*' } | Should -HaveCount 8
        }

        It 'gives each start page once, even when repeated' {
            $pages = "$base/site/c.html", "$base/site/c.html#top", "$($base.ToUpper().Replace('HTTP://', 'http://'))/site/c.html" | Invoke-ParallelCrawl -Depth 0
            $pages | Should -HaveCount 1
        }

        It 'normalizes links: lower-case host, no fragment, dot segments resolved, no duplicates' {
            $b = Invoke-ParallelCrawl "$base/site/b.html" -Depth 0
            $b.Links | Should -Be @("$base/site/a.html", "$base/site/c.html", "$base/site/deep/d.html")
            $index = Invoke-ParallelCrawl "$base/site/index.html" -Depth 0
            @($index.Links | Where-Object { $_ -eq "$base/site/a.html" }) | Should -HaveCount 1
            $index.Links | Should -Not -Contain 'mailto:someone@example.invalid'
            $index.Links | Where-Object { $_ -like '*#*' } | Should -BeNullOrEmpty
        }
    }

    Context 'Hosts' {
        It 'stays on the start host, listing off-host links without fetching them' {
            $before = Get-SiteHits
            $pages = Invoke-ParallelCrawl "$base/site/index.html" -Depth 1 -ErrorVariable errs
            $errs | Should -HaveCount 0
            $pages[0].Links | Should -Contain "$other/site/index.html"
            $pages[0].Links | Should -Contain 'http://offsite.invalid/page.html'
            $pages.Uri.Host | Sort-Object -Unique | Should -Be '127.0.0.1'
            (Get-NewHits $before).Keys | Where-Object { $_ -like 'localhost*' } | Should -BeNullOrEmpty
        }

        It 'enters the hosts that -AllowHost names' {
            $pages = Invoke-ParallelCrawl "$base/site/index.html" -Depth 1 -AllowHost 'LOCAL*'
            $extra = $pages | Where-Object { $_.Uri.Host -eq 'localhost' }
            $extra.Uri.AbsoluteUri | Should -Be "$other/site/index.html"
            $extra.Depth | Should -Be 1
            $extra.Title | Should -Be 'Home'
        }
    }

    Context 'robots.txt' {
        It 'does not fetch pages robots.txt disallows' {
            $before = Get-SiteHits
            $pages = Invoke-ParallelCrawl "$base/site/index.html" -Depth 1
            $pages[0].Links | Should -Contain "$base/site/private/secret.html"
            $pages.Uri.AbsoluteUri | Should -Not -Contain "$base/site/private/secret.html"
            $new = Get-NewHits $before
            $new.Keys | Where-Object { $_ -like '*/private/*' } | Should -BeNullOrEmpty
            $new["127.0.0.1:$($server.Port)/robots.txt"] | Should -Be 1
        }

        It 'fetches them with -IgnoreRobots, and never reads robots.txt' {
            $before = Get-SiteHits
            $pages = Invoke-ParallelCrawl "$base/site/index.html" -Depth 1 -IgnoreRobots
            ($pages | Where-Object { $_.Uri.AbsoluteUri -eq "$base/site/private/secret.html" }).Title | Should -Be 'Secret'
            (Get-NewHits $before).Keys | Where-Object { $_ -like '*robots.txt' } | Should -BeNullOrEmpty
        }

        It 'warns instead of fetching a disallowed start page' {
            $pages = Invoke-ParallelCrawl "$base/site/private/secret.html" -WarningVariable warnings -WarningAction SilentlyContinue
            $pages | Should -BeNullOrEmpty
            $warnings | Should -HaveCount 1
            $warnings[0].Message | Should -Match 'robots.txt'
        }
    }

    Context 'Limits' {
        It 'stops queuing pages at -MaxPages, with one warning' {
            $pages = Invoke-ParallelCrawl "$base/site/index.html" -Depth 3 -MaxPages 3 -ThrottleLimit 1 -WarningVariable warnings -WarningAction SilentlyContinue
            $pages | Should -HaveCount 3
            $warnings | Should -HaveCount 1
            $warnings[0].Message | Should -Match 'MaxPages 3'
        }

        It 'fetches at most -MaxPerHost pages from one host at once, and still finds every page' {
            $null = Invoke-ParallelWebRequest "$base/concurrency?reset=1"
            $pages = Invoke-ParallelCrawl "$base/slowsite/a.html" -Depth 2 -MaxPerHost 1 -ThrottleLimit 4
            $pages.Uri.AbsoluteUri | Should -Contain "$base/slowsite/deep/d.html"
            # a; b, index, c, missing; then d, e and moved here, and a, b and c of the fast copy the pages link to.
            $pages | Should -HaveCount 11
            (Invoke-ParallelWebRequest "$base/concurrency").Content.max | Should -Be 1
        }
    }

    Context 'Per-page errors' {
        It 'reports refused connections, DNS failures and server errors with stable ids, and goes on' {
            $starts = "http://127.0.0.1:$(Get-ClosedPort)/", 'http://no-such-host.invalid/', "$base/status/503", "$base/site/c.html"
            $pages = $starts | Invoke-ParallelCrawl -Depth 0 -IgnoreRobots -ErrorVariable errs -ErrorAction SilentlyContinue
            $pages.Uri.AbsoluteUri | Should -Be "$base/site/c.html"
            $errs | Should -HaveCount 3
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'WebConnectionRefused*'
            $errs[1].FullyQualifiedErrorId | Should -BeLike 'WebDnsFailure*'
            $errs[2].FullyQualifiedErrorId | Should -BeLike 'WebHttpError*'
            $errs[2].ParallelJobItem.Input | Should -BeOfType ParallelJobs.CrawlTarget
        }

        It 'times out a page that does not answer' {
            $r = Invoke-ParallelCrawl "$base/delay/10000" -ItemTimeoutSeconds 1 -IgnoreRobots -AsResult
            $r.Status | Should -Be 'TimedOut'
            $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'ItemTimedOut*'
        }

        It 'refuses a start that is not an http URI' {
            $null = Invoke-ParallelCrawl 'ftp://example.invalid/' -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'WebInvalidInput*'
        }

        It 'refuses -Resume' {
            { Invoke-ParallelCrawl "$base/site/c.html" -LogPath (Join-Path TestDrive: 'c.jsonl') -Resume } | Should -Throw -ErrorId 'CrawlResumeNotSupported*'
        }
    }

    Context '-AsResult' {
        It 'writes results whose Input is the crawl target' {
            $r = Invoke-ParallelCrawl "$base/site/a.html" -Depth 1 -ThrottleLimit 1 -AsResult
            $r[0].Input | Should -BeOfType ParallelJobs.CrawlTarget
            $r[0].Input.Depth | Should -Be 0
            $r[1].Input.Referrer.AbsoluteUri | Should -Be "$base/site/a.html"
            $r[1].Output[0].Title | Should -Be 'Page B'
            $r.Status | Sort-Object -Unique | Should -Be 'Completed'
        }
    }

    Context 'Packaging' {
        It 'ships no HTML parser: the links are scanned, and entities decoded, by the module and the framework' {
            $dir = Split-Path (Get-Module ParallelJobs).Path
            Join-Path $dir 'HtmlAgilityPack.dll' | Should -Not -Exist
        }

        It 'describes every parameter in its help' {
            $help = Get-Help Invoke-ParallelCrawl -Full
            foreach ($name in 'Uri', 'Depth', 'AllowHost', 'IgnoreRobots', 'MaxPerHost', 'MaxPages', 'ThrottleLimit', 'Resume') {
                ($help.parameters.parameter | Where-Object name -eq $name).description.Text | Should -Not -BeNullOrEmpty
            }
        }

        It 'shows pages as a table' {
            $text = Invoke-ParallelCrawl "$base/site/c.html" -Depth 0 | Format-Table | Out-String
            $text | Should -Match 'Depth'
            $text | Should -Match 'Page C'
        }
    }
}

Describe 'A crawl written as a script block with $ParallelJob.Add' {
    It 'refills the run with the links each page finds, each URL once, in discovery order' {
        $seen = [System.Collections.Concurrent.ConcurrentDictionary[string, byte]]::new()
        $start = "$base/site/index.html"
        $null = $seen.TryAdd($start, 0)
        $pages = [pscustomobject]@{ Uri = $start; Depth = 0 } | Invoke-ParallelJob -ThrottleLimit 1 {
            $page = $_
            $response = Invoke-WebRequest $page.Uri -SkipHttpErrorCheck
            if ($page.Depth -lt 2) {
                foreach ($match in [regex]::Matches([string]$response.Content, 'href="([^"]+)"')) {
                    $link = [uri]::new([uri]$page.Uri, $match.Groups[1].Value)
                    if ($link.Scheme -notlike 'http*') { continue }
                    $link = $link.GetLeftPart('Query')
                    if ($link.StartsWith("$using:base/site/") -and $link -notlike '*/private/*' -and ($using:seen).TryAdd($link, 0)) {
                        $null = $ParallelJob.Add([pscustomobject]@{ Uri = $link; Depth = $page.Depth + 1 })
                    }
                }
            }
            [pscustomobject]@{ Uri = $page.Uri; Depth = $page.Depth; Status = [int]$response.StatusCode }
        }

        # moved.html redirects to c.html, whose link to deep/e.html resolves against moved.html at depth 2.
        $expected = $siteAtDepth2 + "$base/site/deep/e.html"
        $pages.Uri | Should -Be $expected
        $pages.Depth | Should -Be @(0, 1, 1, 1, 2, 2, 2, 2)
        ($pages | Where-Object Uri -like '*missing.html').Status | Should -Be 404
    }

    It 'finds the same pages with several workers' {
        $seen = [System.Collections.Concurrent.ConcurrentDictionary[string, byte]]::new()
        $start = "$base/site/index.html"
        $null = $seen.TryAdd($start, 0)
        $pages = $start | Invoke-ParallelJob -ThrottleLimit 4 {
            $html = (Invoke-WebRequest $_ -SkipHttpErrorCheck).Content
            foreach ($match in [regex]::Matches([string]$html, 'href="([^"]+)"')) {
                $link = [uri]::new([uri]$_, $match.Groups[1].Value).GetLeftPart('Query')
                if ($link.StartsWith("$using:base/site/") -and $link -notlike '*/private/*' -and ($using:seen).TryAdd($link, 0)) {
                    $null = $ParallelJob.Add($link)
                }
            }
            $_
        }
        # The whole site but the private page: no depth limit here, the site is small.
        $pages | Should -HaveCount 8
        $pages | Sort-Object -Unique | Should -HaveCount 8
        $pages[0] | Should -Be $start
    }
}
