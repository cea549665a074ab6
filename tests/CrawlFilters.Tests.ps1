# Invoke-ParallelCrawl -Include / -Exclude and -UseSitemap, against the local test server's /csite pages
# (tests/TestServer/CrawlSites.cs), whose robots.txt each test sets through POST /csite-robots.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    $ErrorActionPreference = 'Continue'
    . (Join-Path $PSScriptRoot 'WebTestServer.ps1')
    $script:server = Start-WebTestServer
    $script:base = $server.BaseUri

    function Set-Robots([string] $Text) { $null = Invoke-RestMethod -Method Post -Uri "$base/csite-robots" -Body $Text -ContentType 'text/plain' }

    # The paths the server was asked for since the last call, in order.
    function Get-Requested { (Invoke-RestMethod "$base/csite-log?reset=1").path }

    Set-Robots "User-agent: *`nAllow: /`n"
    $null = Get-Requested
}

AfterAll {
    Stop-WebTestServer $server
}

Describe 'Invoke-ParallelCrawl -Include and -Exclude' {
    It 'does not fetch the pages -Exclude matches, as -like matches them, and lists them in Links' {
        $pages = Invoke-ParallelCrawl "$base/csite/index.html" -Depth 1 -Exclude '*/BLOG/*', '*.png'
        $links = $pages[0].Links
        $links | Should -Contain "$base/csite/blog/post1.html"
        # The reference: -like on each link, then the same site's links only.
        $expected = @("$base/csite/index.html") + @($links | Where-Object { $_ -notlike '*/BLOG/*' -and $_ -notlike '*.png' })
        $pages.Uri.AbsoluteUri | Should -Be $expected
        Get-Requested | Where-Object { $_ -like '/csite/blog/*' -or $_ -like '*.png' } | Should -BeNullOrEmpty
    }

    It 'fetches only the pages -Include matches beyond the start page, and does not pass through the others' {
        $pages = Invoke-ParallelCrawl "$base/csite/index.html" -Depth 3 -Include '*/docs/*', '*/post2.html' -ThrottleLimit 2
        $pages.Uri.AbsolutePath | Sort-Object | Should -Be @('/csite/docs/a.html', '/csite/docs/b.html', '/csite/docs/c.html', '/csite/index.html')
        # post2.html is linked only from post1.html, which -Include keeps out, so it is never found.
        Get-Requested | Where-Object { $_ -like '/csite/blog/*' } | Should -BeNullOrEmpty
    }

    It 'lets -Exclude win over -Include' {
        $pages = Invoke-ParallelCrawl "$base/csite/index.html" -Depth 2 -Include '*/docs/*' -Exclude '*/c.html'
        $pages.Uri.AbsolutePath | Sort-Object | Should -Be @('/csite/docs/a.html', '/csite/docs/b.html', '/csite/index.html')
    }

    It 'always fetches the start pages given' {
        $pages = Invoke-ParallelCrawl "$base/csite/index.html", "$base/csite/docs/b.html" -Depth 1 -Exclude '*index*', '*/docs/*' -Include '*/blog/*'
        $pages.Uri.AbsolutePath | Should -Be @('/csite/index.html', '/csite/docs/b.html', '/csite/blog/post1.html')
    }

    It 'says in a verbose line why a page was not fetched' {
        $verbose = Invoke-ParallelCrawl "$base/csite/docs/a.html" -Depth 1 -Exclude '*/c.html' -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        $verbose | Should -Contain "$base/csite/docs/c.html not fetched: -Exclude matches it."
    }
}

Describe 'Invoke-ParallelCrawl -UseSitemap' {
    It 'crawls the pages of the sitemaps robots.txt names, following index files two levels deep' {
        Set-Robots "User-agent: *`nAllow: /`nSitemap: {base}/csite/sitemap_index.xml`n"
        $null = Get-Requested
        $pages = Invoke-ParallelCrawl "$base/csite/docs/b.html" -Depth 0 -UseSitemap -ThrottleLimit 1 -WarningVariable warnings
        $pages.Uri.AbsolutePath | Should -Be @('/csite/docs/b.html', '/csite/docs/a.html', '/csite/orphan.html', '/csite/blog/post2.html', '/csite/orphan2.html', '/csite/deeporphan.html')
        $pages.Depth | Sort-Object -Unique | Should -Be 0
        $pages[1].Referrer.AbsoluteUri | Should -Be "$base/csite/sitemap1.xml"
        $pages[4].Referrer.AbsoluteUri | Should -Be "$base/csite/sitemap2.xml.gz"
        $warnings | Should -BeNullOrEmpty
        $requested = Get-Requested
        $requested | Should -Contain '/csite/deeper_index.xml'
        $requested | Should -Not -Contain '/csite/too_deep.xml'
        $requested | Should -Not -Contain '/csite/never.html'
    }

    It 'falls back to /sitemap.xml, and with -IgnoreRobots reads it too' {
        Set-Robots "User-agent: *`nAllow: /`n"
        (Invoke-ParallelCrawl "$base/csite/docs/b.html" -Depth 0 -UseSitemap).Uri.AbsolutePath | Should -Be @('/csite/docs/b.html', '/csite/orphan.html')
        (Invoke-ParallelCrawl "$base/csite/docs/b.html" -Depth 0 -UseSitemap -IgnoreRobots).Uri.AbsolutePath | Should -Be @('/csite/docs/b.html', '/csite/orphan.html')
    }

    It 'applies -Exclude, the crawl''s scope and robots.txt to the sitemap''s pages' {
        Set-Robots "User-agent: *`nDisallow: /csite/blog/`nSitemap: {base}/csite/sitemap_index.xml`n"
        $pages = Invoke-ParallelCrawl "$base/csite/docs/b.html" -Depth 0 -UseSitemap -Exclude '*orphan2*' -WarningAction SilentlyContinue
        $pages.Uri.AbsolutePath | Sort-Object | Should -Be @('/csite/deeporphan.html', '/csite/docs/a.html', '/csite/docs/b.html', '/csite/orphan.html')
        Get-Requested | Where-Object { $_ -like '/csite/blog/*' -or $_ -like '*orphan2*' } | Should -BeNullOrEmpty
    }

    It 'refuses a sitemap with a DTD, with a warning, and goes on' {
        Set-Robots "User-agent: *`nAllow: /`nSitemap: {base}/csite/laughs.xml`nSitemap: {base}/csite/missing.xml`n"
        $pages = Invoke-ParallelCrawl "$base/csite/docs/b.html" -Depth 0 -UseSitemap -WarningVariable warnings -WarningAction SilentlyContinue
        $pages.Uri.AbsolutePath | Should -Be @('/csite/docs/b.html')
        $warnings | Should -HaveCount 2
        $warnings[0].Message | Should -BeLike "The sitemap $base/csite/laughs.xml could not be read to its end (*DTD*"
        $warnings[1].Message | Should -BeLike "The sitemap $base/csite/missing.xml answered 404*"
    }

    It 'reads each origin''s sitemaps once, however many start pages it has' {
        Set-Robots "User-agent: *`nAllow: /`nSitemap: {base}/csite/sitemap1.xml`n"
        $null = Get-Requested
        $pages = Invoke-ParallelCrawl "$base/csite/docs/b.html", "$base/csite/docs/c.html" -Depth 0 -UseSitemap
        $pages.Uri.AbsolutePath | Should -Be @('/csite/docs/b.html', '/csite/docs/a.html', '/csite/orphan.html', '/csite/blog/post2.html', '/csite/docs/c.html')
        @(Get-Requested | Where-Object { $_ -eq '/csite/sitemap1.xml' }) | Should -HaveCount 1
    }
}
