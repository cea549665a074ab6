# Invoke-ParallelCrawl -IncludeContent, -OutDirectory and -Verbose, against the local test server's /csite pages
# (tests/TestServer/CrawlSites.cs).

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    $ErrorActionPreference = 'Continue'
    . (Join-Path $PSScriptRoot 'WebTestServer.ps1')
    $script:server = Start-WebTestServer
    $script:base = $server.BaseUri
    $script:hostDir = "127.0.0.1_$($server.Port)"

    function New-TestFolder {
        $path = Join-Path ([IO.Path]::GetTempPath()) "pj-crawl-store-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item -ItemType Directory -Path $path
        $path
    }

    $script:folders = [System.Collections.Generic.List[string]]::new()
}

AfterAll {
    Stop-WebTestServer $server
    foreach ($f in $folders) { Remove-Item -LiteralPath $f -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Invoke-ParallelCrawl -IncludeContent' {
    It 'puts the decoded text of text pages on the result, and nothing on other media types' {
        $pages = Invoke-ParallelCrawl "$base/csite/index.html" -Depth 1 -IncludeContent
        $index = $pages | Where-Object { $_.Uri.AbsolutePath -eq '/csite/index.html' }
        $index.Content | Should -BeLike '<!DOCTYPE html><html><head><title>Content home</title>*'
        $index.ContentTruncated | Should -BeFalse
        # The same text Invoke-WebRequest reads.
        $index.Content | Should -BeExactly (Invoke-WebRequest "$base/csite/index.html").Content
        $index.Text | Should -BeLike "Content home`ndocs/a.html`ndocs/b.html`n*"
        ($pages | Where-Object { $_.Uri.AbsolutePath -eq '/csite/data.json' }).Content | Should -BeExactly '{"caf\u00e9":1}'
        ($pages | Where-Object { $_.Uri.AbsolutePath -eq '/csite/data.json' }).Text | Should -BeNullOrEmpty
        ($pages | Where-Object { $_.Uri.AbsolutePath -eq '/csite/image.png' }).Content | Should -BeNullOrEmpty
    }

    It 'leaves Content empty without the switch' {
        $page = Invoke-ParallelCrawl "$base/csite/index.html" -Depth 0
        $page.Content | Should -BeNullOrEmpty
        $page.OutFile | Should -BeNullOrEmpty
    }

    It 'decodes by the charset the server names' {
        $page = Invoke-ParallelCrawl "$base/csite/latin1.html" -Depth 0 -IncludeContent
        $page.Title | Should -Be "Caf$([char]0xe9)"
        $page.Content | Should -BeLike "*<body>$([char]0xe9)t$([char]0xe9)</body>*"
    }

    It 'keeps at most 8 MiB of a page in memory, and says it was cut' {
        $page = Invoke-ParallelCrawl "$base/csite/big.html" -Depth 0 -IncludeContent
        $page.Content.Length | Should -Be (8MB)
        $page.ContentTruncated | Should -BeTrue
        $page.Title | Should -Be 'Big'
    }
}

Describe 'Invoke-ParallelCrawl -OutDirectory' {
    BeforeAll {
        $script:out = New-TestFolder
        $folders.Add($out)
        $script:stored = Invoke-ParallelCrawl "$base/csite/index.html" -Depth 1 -OutDirectory $out -ThrottleLimit 4
        $script:site = Join-Path $out $hostDir 'csite'
        function Stored([string] $path) { ($stored | Where-Object { $_.Uri.PathAndQuery -eq $path }).OutFile }
    }

    It 'stores each 2xx page under host/path, and says where on the result' {
        Stored '/csite/index.html' | Should -Be (Join-Path $site 'index.html')
        Stored '/csite/docs/a.html' | Should -Be (Join-Path $site 'docs' 'a.html')
        Get-Content -Raw -LiteralPath (Join-Path $site 'docs' 'a.html') | Should -BeExactly (Invoke-WebRequest "$base/csite/docs/a.html").Content
        [IO.File]::ReadAllBytes((Stored '/csite/image.png')) | Should -Be @(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 1, 2)
    }

    It 'names a directory URL index.html, and adds .html to an HTML page without an extension' {
        Stored '/csite/dir/' | Should -Be (Join-Path $site 'dir' 'index.html')
        Stored '/csite/CON' | Should -Be (Join-Path $site '_CON.html')
    }

    It 'gives each query string its own safe file name' {
        $one = Stored '/csite/query?x=1&y=2'
        $two = Stored '/csite/query?x=2'
        $one | Should -Not -Be $two
        Split-Path $one -Leaf | Should -Match '^query_[0-9a-f]{16}\.html$'
        Get-Content -Raw -LiteralPath $two | Should -BeLike '*Query ?x=2*'
    }

    It 'never leaves the folder, and makes every name safe' {
        $root = (Resolve-Path $out).Path + [IO.Path]::DirectorySeparatorChar
        foreach ($page in $stored | Where-Object OutFile) {
            $page.OutFile | Should -BeLike "$root*"
            [IO.Path]::GetFullPath($page.OutFile) | Should -Be $page.OutFile
        }

        Stored '/csite/a%2Fb%5Cc.html' | Should -Be (Join-Path $site 'a_b_c.html')
        Stored "/csite/caf%C3%A9.html" | Should -Be (Join-Path $site "caf$([char]0xe9).html")
        # The link ../../escape.html resolves on the server's root, and is stored there, inside the folder.
        Test-Path (Join-Path ([IO.Path]::GetTempPath()) 'escape.html') | Should -BeFalse
    }

    It 'writes no temporary files and stores no error page' {
        Get-ChildItem -LiteralPath $out -Recurse -File -Filter '*.tmp' | Should -BeNullOrEmpty
        ($stored | Where-Object StatusCode -ge 400).OutFile | Should -BeNullOrEmpty
        @(Get-ChildItem -LiteralPath $out -Recurse -File).Count | Should -Be @($stored | Where-Object OutFile).Count
    }

    It 'stores a page in full even when its content on the result is cut' {
        $page = Invoke-ParallelCrawl "$base/csite/big.html" -Depth 0 -OutDirectory $out -IncludeContent
        (Get-Item -LiteralPath $page.OutFile).Length | Should -Be 9000000
        $page.ContentTruncated | Should -BeTrue
    }

    It 'replaces the files of an earlier run' {
        $file = Stored '/csite/docs/b.html'
        Set-Content -LiteralPath $file -Value 'stale'
        $again = Invoke-ParallelCrawl "$base/csite/docs/b.html" -Depth 0 -OutDirectory $out -ErrorVariable errs
        $errs | Should -HaveCount 0
        $again.OutFile | Should -Be $file
        Get-Content -Raw -LiteralPath $file | Should -BeLike '*Doc B*'
    }

    It 'stores a page whose folder is taken by a file under _flat' {
        $other = New-TestFolder
        $folders.Add($other)
        $null = New-Item -ItemType Directory -Path (Join-Path $other $hostDir 'csite')
        Set-Content -LiteralPath (Join-Path $other $hostDir 'csite' 'docs') -Value 'a file where a folder would be'
        $page = Invoke-ParallelCrawl "$base/csite/docs/a.html" -Depth 0 -OutDirectory $other -ErrorVariable errs
        $errs | Should -HaveCount 0
        $page.OutFile | Should -BeLike (Join-Path $other $hostDir '_flat' '*.html')
        Get-Content -Raw -LiteralPath $page.OutFile | Should -BeLike '*Doc A*'
    }

    It 'reports a page it cannot store as a CrawlStoreFailed error, and goes on' {
        $blocked = New-TestFolder
        $folders.Add($blocked)
        # A folder where the page's file must be, and a file where the _flat folder must be: no place is left.
        $null = New-Item -ItemType Directory -Path (Join-Path $blocked $hostDir 'csite' 'docs' 'a.html')
        Set-Content -LiteralPath (Join-Path $blocked $hostDir '_flat') -Value 'in the way'
        $pages = Invoke-ParallelCrawl "$base/csite/docs/a.html" -Depth 1 -OutDirectory $blocked -ThrottleLimit 1 -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'CrawlStoreFailed*'
        $errs[0].TargetObject.Uri.AbsoluteUri | Should -Be "$base/csite/docs/a.html"
        $pages | Should -BeNullOrEmpty
    }
}

Describe 'Invoke-ParallelCrawl -Verbose' {
    It 'writes one request line and one response line per page, as Invoke-WebRequest words them' {
        $records = Invoke-ParallelCrawl "$base/csite/docs/a.html" -Depth 1 -ThrottleLimit 1 -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        $expected = Invoke-WebRequest "$base/csite/docs/a.html" -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        $records[0..1] | Should -Be $expected
        $requests = $records | Where-Object { $_ -like 'WebRequest: *' }
        $requests | Should -Be @("WebRequest: v1.1 GET $base/csite/docs/a.html", "WebRequest: v1.1 GET $base/csite/docs/c.html", "WebRequest: v1.1 GET $base/csite/blog/post1.html")
        @($records | Where-Object { $_ -like 'WebResponse: 200 OK with text/html payload with body size * bytes)' }) | Should -HaveCount 3
    }

    It 'writes nothing without -Verbose' {
        $records = Invoke-ParallelCrawl "$base/csite/docs/a.html" -Depth 0 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $records | Should -BeNullOrEmpty
    }
}
