#Requires -Version 7.3
# Invoke-ParallelCrawl against hostile HTML: deep nesting, and stopping (timeouts, Stop) while a page is read.
# The pages are files the test writes, served by python3's http.server on 127.0.0.1.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    $ErrorActionPreference = 'Continue'
    $script:site = Join-Path ([IO.Path]::GetTempPath()) "pj-crawl-limits-$([guid]::NewGuid().ToString('N'))"
    $null = New-Item -ItemType Directory -Path $site

    # 200,000 nested div elements (2.2 MB), with one link at the bottom.
    $depth = 200000
    $builder = [Text.StringBuilder]::new()
    $null = $builder.Append('<html><head><title>Deep &amp; narrow</title></head><body>')
    for ($i = 0; $i -lt $depth; $i++) { $null = $builder.Append('<div>') }
    $null = $builder.Append('<a href="leaf.html">leaf</a>')
    for ($i = 0; $i -lt $depth; $i++) { $null = $builder.Append('</div>') }
    $null = $builder.Append('</body></html>')
    [IO.File]::WriteAllText((Join-Path $site 'deep.html'), $builder.ToString())
    [IO.File]::WriteAllText((Join-Path $site 'leaf.html'), '<html><title>Leaf</title></html>')

    # Links where a DOM parser finds them and where it must not (comments, script, style).
    [IO.File]::WriteAllText((Join-Path $site 'mixed.html'), @'
<!DOCTYPE html><html><head><TITLE> Mixed  </TITLE><base href="/sub/">
<script>var s = '<a href="script.html">';</script><style>a { background: url(<a href="style.html">) }</style></head>
<body><!-- <a href="comment.html"> --><A HREF='one.html'>1</A> <a class=x href=two.html>2</a>
<area shape=rect href="three.html?a=1&amp;b=2"><a name="no-href">none</a><a href="one.html">again</a></body></html>
'@)

    $script:server = Start-Process python3 -ArgumentList '-u', '-m', 'http.server', '--bind', '127.0.0.1', '0', '--directory', $site -PassThru -RedirectStandardOutput (Join-Path $site '../pj-crawl-limits.out') -RedirectStandardError (Join-Path $site '../pj-crawl-limits.err')
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    $script:base = $null
    while (-not $base -and [DateTime]::UtcNow -lt $deadline) {
        Start-Sleep -Milliseconds 100
        $said = Get-Content -LiteralPath (Join-Path $site '../pj-crawl-limits.out') -Raw -ErrorAction SilentlyContinue
        if ($said -match 'port (\d+)') { $script:base = "http://127.0.0.1:$($Matches[1])" }
    }
    if (-not $base) { throw 'python3 http.server did not start.' }
}

AfterAll {
    if ($server -and -not $server.HasExited) { $server.Kill(); $null = $server.WaitForExit(5000) }
    Remove-Item -LiteralPath $site -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Item -LiteralPath (Join-Path $site '../pj-crawl-limits.out'), (Join-Path $site '../pj-crawl-limits.err') -ErrorAction SilentlyContinue
}

Describe 'Invoke-ParallelCrawl on hostile HTML' {
    It 'reads a page of 200,000 nested div elements in seconds and finds its link' {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $pages = Invoke-ParallelCrawl "$base/deep.html" -Depth 1 -IgnoreRobots
        $watch.Stop()

        $watch.Elapsed.TotalSeconds | Should -BeLessThan 20
        $pages[0].Title | Should -Be 'Deep & narrow'
        $pages[0].Links | Should -Be "$base/leaf.html"
        $pages.Uri.AbsoluteUri | Should -Contain "$base/leaf.html"
    }

    It 'takes links only from markup, as a browser does: not from comments, scripts or styles' {
        $page = Invoke-ParallelCrawl "$base/mixed.html" -Depth 0 -IgnoreRobots
        $page.Title | Should -Be 'Mixed'
        $page.Links | Should -Be "$base/sub/one.html", "$base/sub/two.html", "$base/sub/three.html?a=1&b=2"
    }

    It 'stops on Stop (Ctrl+C) within a few seconds while it crawls the deep page' {
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$env:PARALLELJOBS_MODULE'; 1..50 | ForEach-Object { Invoke-ParallelCrawl '$base/deep.html' -Depth 0 -IgnoreRobots }")
        $async = $ps.BeginInvoke()
        Start-Sleep -Milliseconds 1500
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $ps.Stop()
        $watch.Stop()
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
        $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        $ps.Dispose()
    }

    It 'honours -ItemTimeoutSeconds on the deep page whatever the parse costs' {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $result = Invoke-ParallelCrawl "$base/deep.html" -Depth 0 -IgnoreRobots -ItemTimeoutSeconds 2 -AsResult
        $watch.Stop()
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
        $result.Status | Should -BeIn 'Completed', 'TimedOut'
    }
}
