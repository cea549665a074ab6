#Requires -Version 7.3
# Invoke-ParallelCrawl and robots.txt as RFC 9309 says (unreachable or 5xx: disallow all; 4xx: allow all),
# and the crawl's scope being the origin. The servers are python3 scripts the test writes, on 127.0.0.1,
# one port per robots.txt behaviour; each counts the requests it gets.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    $ErrorActionPreference = 'Continue'
    $script:dir = Join-Path ([IO.Path]::GetTempPath()) "pj-crawl-robots-$([guid]::NewGuid().ToString('N'))"
    $null = New-Item -ItemType Directory -Path $dir
    [IO.File]::WriteAllText((Join-Path $dir 'server.py'), @'
import http.server, json, sys, threading, time, urllib.parse

MODES = sys.argv[1:]
hits = {}
lock = threading.Lock()

def handler_for(mode):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send(self, status, body=b'', ctype='text/html'):
            self.send_response(status)
            self.send_header('Content-Type', ctype)
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            with lock:
                hits[mode + url.path] = hits.get(mode + url.path, 0) + 1
            if url.path == '/hits':
                with lock:
                    return self.send(200, json.dumps(hits).encode(), 'application/json')
            if url.path == '/robots.txt':
                if mode == 'ok':
                    return self.send(200, b'User-agent: *\nDisallow: /private\n', 'text/plain')
                if mode == 'hang':
                    time.sleep(20)
                    return self.send(200, b'', 'text/plain')
                return self.send(int(mode), b'no robots here', 'text/plain')
            # /page?link=<url>&link=<url>: a page with those links, and a link to /private/x.
            links = urllib.parse.parse_qs(url.query).get('link', []) + ['/private/x', '/next']
            html = '<html><head><title>%s %s</title></head><body>%s</body></html>' % (
                mode, url.path, ''.join('<a href="%s">l</a>' % l for l in links))
            return self.send(200, html.encode())
    return Handler

ports = {}
for mode in MODES:
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler_for(mode))
    server.daemon_threads = True
    ports[mode] = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
print(json.dumps(ports), flush=True)
threading.Event().wait()
'@)

    $out = Join-Path $dir 'server.out'
    $script:server = Start-Process python3 -ArgumentList '-u', (Join-Path $dir 'server.py'), 'ok', '503', '500', '429', '404', '403', 'hang' -PassThru -RedirectStandardOutput $out -RedirectStandardError (Join-Path $dir 'server.err')
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    $script:port = $null
    while (-not $port -and [DateTime]::UtcNow -lt $deadline) {
        Start-Sleep -Milliseconds 100
        $said = Get-Content -LiteralPath $out -Raw -ErrorAction SilentlyContinue
        if ($said -match '^\{.*\}') { $script:port = $Matches[0] | ConvertFrom-Json -AsHashtable }
    }
    if (-not $port) { throw "the python3 test server did not start: $(Get-Content -Raw (Join-Path $dir 'server.err') -ErrorAction SilentlyContinue)" }

    function Get-Hits([string]$Mode) {
        $hits = @{}
        (Invoke-RestMethod "http://127.0.0.1:$($port[$Mode])/hits").PSObject.Properties | ForEach-Object { $hits[$_.Name] = $_.Value }
        $hits
    }

    function Get-ClosedPort {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $free = $listener.LocalEndpoint.Port
        $listener.Stop()
        $free
    }
}

AfterAll {
    if ($server -and -not $server.HasExited) { $server.Kill(); $null = $server.WaitForExit(5000) }
    Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'robots.txt that cannot be had (RFC 9309 2.3.1)' {
    It 'fetches nothing from a host whose robots.txt answers <_>, and warns once for the host' -ForEach '503', '500', '429' {
        $mode = $_
        $base = "http://127.0.0.1:$($port[$mode])"
        $pages = "$base/page?a=1", "$base/page?a=2" | Invoke-ParallelCrawl -Depth 1 -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable errs -ErrorAction SilentlyContinue
        $pages | Should -BeNullOrEmpty
        $errs | Should -HaveCount 0
        $warnings | Should -HaveCount 1
        $warnings[0].Message | Should -Match "robots.txt of $([regex]::Escape($base)) could not be fetched"
        $warnings[0].Message | Should -Match $mode
        $hits = Get-Hits $mode
        $hits["$mode/robots.txt"] | Should -Be 1
        $hits.Keys | Where-Object { $_ -like "$mode/page*" } | Should -BeNullOrEmpty
    }

    It 'fetches nothing, and says why, when robots.txt cannot be connected to' {
        $base = "http://127.0.0.1:$(Get-ClosedPort)"
        $pages = Invoke-ParallelCrawl "$base/" -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable errs -ErrorAction SilentlyContinue
        $pages | Should -BeNullOrEmpty
        $errs | Should -HaveCount 0
        $warnings | Should -HaveCount 1
        $warnings[0].Message | Should -Match 'could not be fetched'
        $warnings[0].Message | Should -Match 'IgnoreRobots'
    }

    It 'fetches nothing when robots.txt does not answer in time (half the per-page timeout), and does not time the page out' {
        $base = "http://127.0.0.1:$($port['hang'])"
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $r = Invoke-ParallelCrawl "$base/page" -ItemTimeoutSeconds 2 -AsResult -WarningVariable warnings -WarningAction SilentlyContinue
        $watch.Stop()
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
        $r.Status | Should -Be 'Completed'
        $r.Output | Should -BeNullOrEmpty
        $warnings | Should -HaveCount 1
        $warnings[0].Message | Should -Match 'no answer within 1 s'
        (Get-Hits 'hang').Keys | Where-Object { $_ -like 'hang/page*' } | Should -BeNullOrEmpty
    }

    It 'still crawls such a host with -IgnoreRobots' {
        $base = "http://127.0.0.1:$($port['503'])"
        $pages = Invoke-ParallelCrawl "$base/page" -Depth 1 -IgnoreRobots
        $pages.Uri.AbsoluteUri | Should -Be "$base/page", "$base/private/x", "$base/next"
    }
}

Describe 'A missing robots.txt (4xx) allows everything' {
    It 'crawls every page when robots.txt answers <_>' -ForEach '404', '403' {
        $mode = $_
        $base = "http://127.0.0.1:$($port[$mode])"
        $pages = Invoke-ParallelCrawl "$base/page" -Depth 1 -WarningVariable warnings -WarningAction SilentlyContinue
        $pages.Uri.AbsoluteUri | Should -Be "$base/page", "$base/private/x", "$base/next"
        $warnings | Should -HaveCount 0
        (Get-Hits $mode)["$mode/robots.txt"] | Should -BeGreaterOrEqual 1
    }

    It 'obeys a robots.txt that is there' {
        $base = "http://127.0.0.1:$($port['ok'])"
        $pages = Invoke-ParallelCrawl "$base/page" -Depth 1
        $pages.Uri.AbsoluteUri | Should -Be "$base/page", "$base/next"
    }
}

Describe 'The scope is the origin: scheme, host and port' {
    BeforeAll {
        $script:a = "http://127.0.0.1:$($port['404'])"
        $script:b = "http://127.0.0.1:$($port['403'])"
        $script:start = "$a/page?link=$([uri]::EscapeDataString("$b/other"))"
    }

    It 'does not follow a link to another port of the same host, and says how to allow it' {
        $pages = Invoke-ParallelCrawl $start -Depth 1 -Verbose 4>&1 | Tee-Object -Variable all | Where-Object { $_ -is [ParallelJobs.ParallelCrawlPage] }
        $pages[0].Links | Should -Contain "$b/other"
        $pages.Uri.AbsoluteUri | Should -Not -Contain "$b/other"
        $pages.Uri.Port | Sort-Object -Unique | Should -Be $port['404']
        $verbose = @($all | Where-Object { $_ -is [Management.Automation.VerboseRecord] -and $_.Message -like '*another scheme or port*' })
        $verbose | Should -HaveCount 1
        $verbose[0].Message | Should -Match "-AllowHost '127\.0\.0\.1:$($port['403'])'"
    }

    It 'follows it once -AllowHost names <_> (PORT: the other port)' -ForEach '127.0.0.1:PORT', '127.0.0.1:*', 'http://127.0.0.1:PORT' {
        $allow = $_.Replace('PORT', [string]$port['403'])
        $pages = Invoke-ParallelCrawl $start -Depth 1 -AllowHost $allow
        ($pages | Where-Object { $_.Uri.AbsoluteUri -eq "$b/other" }).Depth | Should -Be 1
    }

    It 'does not follow it when -AllowHost names the host without the port' {
        $pages = Invoke-ParallelCrawl $start -Depth 1 -AllowHost '127.0.0.1'
        $pages.Uri.AbsoluteUri | Should -Not -Contain "$b/other"
    }
}
