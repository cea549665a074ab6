# Invoke-ParallelWebRequest against the local test server (tests/TestServer on 127.0.0.1, a free port).

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    # The test runner sets 'Stop', which would turn each expected per-item failure into a stop of the run.
    $ErrorActionPreference = 'Continue'
    . (Join-Path $PSScriptRoot 'WebTestServer.ps1')
    $script:server = Start-WebTestServer
    $script:base = $server.BaseUri

    function Get-Hits([string] $Key) { (Invoke-ParallelWebRequest "$base/hits/$Key").Content }
    function New-Key { [guid]::NewGuid().ToString('n') }
}

AfterAll {
    Stop-WebTestServer $server
}

Describe 'Invoke-ParallelWebRequest' {
    Context 'Plain URIs' {
        It 'writes one response per URI, in input order, even when later ones answer first' {
            $uris = 300, 200, 100, 0 | ForEach-Object { "$base/delay/$_" }
            $responses = $uris | Invoke-ParallelWebRequest -ThrottleLimit 4
            $responses | Should -HaveCount 4
            $responses[0] | Should -BeOfType ParallelJobs.ParallelWebResponse
            $responses.Uri.AbsoluteUri | Should -Be $uris
            $responses.StatusCode | Should -Be @(200, 200, 200, 200)
            $responses[0].Content.delay | Should -Be 300
        }

        It 'keeps the order over many requests at a high throttle limit' {
            $uris = 1..120 | ForEach-Object { "$base/delay/$((120 - $_) % 7 * 3)?n=$_" }
            $responses = Invoke-ParallelWebRequest -Uri $uris -ThrottleLimit 30
            $responses.Uri.AbsoluteUri | Should -Be $uris
        }

        It 'writes every response with -Unordered' {
            $uris = 200, 0, 100 | ForEach-Object { "$base/delay/$_" }
            $responses = $uris | Invoke-ParallelWebRequest -Unordered
            $responses.Uri.AbsoluteUri | Sort-Object | Should -Be ($uris | Sort-Object)
        }

        It 'fills Uri, Method, StatusCode, Headers, Elapsed, Content and Attempts' {
            $r = Invoke-ParallelWebRequest "$base/text"
            $r.Method | Should -Be 'GET'
            $r.ReasonPhrase | Should -Be 'OK'
            $r.ContentType | Should -Be 'text/plain'
            $r.Headers['content-length'] | Should -Be '5'
            $r.Elapsed | Should -BeOfType [timespan]
            $r.Elapsed | Should -BeGreaterThan ([timespan]::Zero)
            $r.Content | Should -BeExactly 'hello'
            $r.Attempts | Should -Be 1
        }

        It 'accepts System.Uri objects and bare host:port names' {
            $r = [uri]"$base/text" | Invoke-ParallelWebRequest
            $r.Content | Should -Be 'hello'
            (Invoke-ParallelWebRequest "127.0.0.1:$($server.Port)/text").Content | Should -Be 'hello'
        }

        It 'has at most -ThrottleLimit requests in flight' {
            $null = Invoke-ParallelWebRequest "$base/concurrency?reset=1"
            $null = 1..9 | ForEach-Object { "$base/delay/200?n=$_" } | Invoke-ParallelWebRequest -ThrottleLimit 3
            (Invoke-ParallelWebRequest "$base/concurrency").Content.max | Should -Be 3
        }

        It 'has at most -MaxPerHost requests in flight to one host' {
            $null = Invoke-ParallelWebRequest "$base/concurrency?reset=1"
            $null = 1..6 | ForEach-Object { "$base/delay/200?n=$_" } | Invoke-ParallelWebRequest -ThrottleLimit 6 -MaxPerHost 2
            (Invoke-ParallelWebRequest "$base/concurrency").Content.max | Should -Be 2
        }

        It 'shows responses as a table' {
            $text = Invoke-ParallelWebRequest "$base/text" | Format-Table | Out-String
            $text | Should -Match 'Status'
            $text | Should -Match '200'
            $text | Should -Match ([regex]::Escape("$base/text"))
        }
    }

    Context 'Response bodies' {
        It 'parses a JSON object into a PSCustomObject, as Invoke-RestMethod does' {
            $c = (Invoke-ParallelWebRequest "$base/json/object").Content
            $c | Should -BeOfType System.Management.Automation.PSCustomObject
            $c.name | Should -BeExactly 'alpha'
            $c.count | Should -Be 3
            $c.count | Should -BeOfType [long]
            $c.big | Should -Be 12345678901234
            $c.ratio | Should -Be 0.5
            $c.ok | Should -BeTrue
            $c.none | Should -BeNullOrEmpty
            $c.PSObject.Properties.Name | Should -Contain 'none'
            $c.items | Should -Be @(1, 2, 3)
            $c.nested.text | Should -BeExactly 'café "quoted"'
            , $c.nested.empty | Should -BeOfType [object[]]
            $c.nested.empty.Count | Should -Be 0
        }

        It 'parses a JSON array into an array of objects' {
            $c = (Invoke-ParallelWebRequest "$base/json/array").Content
            , $c | Should -BeOfType [object[]]
            $c.id | Should -Be @(1, 2, 3)
        }

        It 'parses +json media types' {
            (Invoke-ParallelWebRequest "$base/json/problem").Content.title | Should -Be 'vendor'
        }

        It 'keeps JSON served as text/plain as text, unless -AsJson' {
            (Invoke-ParallelWebRequest "$base/json/as-text").Content | Should -BeExactly '{"hidden":42}'
            (Invoke-ParallelWebRequest "$base/json/as-text" -AsJson).Content.hidden | Should -Be 42
        }

        It 'keeps JSON as text with -Raw' {
            $c = (Invoke-ParallelWebRequest "$base/json/array" -Raw).Content
            $c | Should -BeOfType [string]
            $c | Should -BeExactly '[{"id":1},{"id":2},{"id":3}]'
        }

        It 'gives a binary body as bytes' {
            $c = (Invoke-ParallelWebRequest "$base/bytes").Content
            , $c | Should -BeOfType [byte[]]
            $c | Should -Be @(0, 1, 2, 3, 255)
        }

        It 'refuses -AsJson with -Raw' {
            { Invoke-ParallelWebRequest "$base/text" -AsJson -Raw } | Should -Throw -ErrorId 'AsJsonWithRaw*'
        }
    }

    Context 'Request objects' {
        It 'sends Method, Headers and a hashtable Body as JSON from a hashtable item whose ContentType is JSON' {
            $r = @{ Uri = "$base/echo"; Method = 'POST'; Headers = @{ 'X-Test' = 'yes' }; Body = @{ a = 1; list = 1, 2 }; ContentType = 'application/json' } | Invoke-ParallelWebRequest
            $r.Content.method | Should -Be 'POST'
            $r.Content.contentType | Should -Match '^application/json'
            ($r.Content.body | ConvertFrom-Json).list | Should -Be @(1, 2)
            ($r.Content.body | ConvertFrom-Json).a | Should -Be 1
            $r.Content.headers.'X-Test' | Should -Be 'yes'
        }

        It 'reads the same properties from a PSCustomObject item, with a string body' {
            $r = [pscustomobject]@{ Uri = "$base/echo"; Method = 'put'; Body = 'plain text'; ContentType = 'text/csv' } | Invoke-ParallelWebRequest
            $r.Content.method | Should -Be 'PUT'
            $r.Content.body | Should -BeExactly 'plain text'
            $r.Content.contentType | Should -Be 'text/csv'
            $r.Method | Should -Be 'PUT'
        }

        It 'applies -Method, -Headers and -Body to items that do not set them, and item headers win' {
            $items = "$base/echo", @{ Uri = "$base/echo"; Headers = @{ 'X-Who' = 'item' }; Body = 'mine' }
            $r = $items | Invoke-ParallelWebRequest -Method PATCH -Headers @{ 'X-Who' = 'cmdlet'; 'X-All' = '1' } -Body @{ shared = $true }
            $r[0].Content.method | Should -Be 'PATCH'
            $r[0].Content.headers.'X-Who' | Should -Be 'cmdlet'
            # A hashtable body is form-encoded, as Invoke-RestMethod sends it.
            $r[0].Content.body | Should -BeExactly 'shared=True'
            $r[0].Content.contentType | Should -Be 'application/x-www-form-urlencoded'
            $r[1].Content.headers.'X-Who' | Should -Be 'item'
            $r[1].Content.headers.'X-All' | Should -Be '1'
            $r[1].Content.body | Should -BeExactly 'mine'
        }

        It 'sends a User-Agent that names the module' {
            (Invoke-ParallelWebRequest "$base/echo").Content.headers.'User-Agent' | Should -Match '^ParallelJobs/'
        }
    }

    Context 'Per-item errors' {
        It 'reports a refused connection, a DNS failure, invalid JSON and an error status, and the other requests go on' {
            $closed = Get-ClosedPort
            $inputs = "$base/text", "http://127.0.0.1:$closed/", 'http://no-such-host.invalid/', "$base/json/invalid", "$base/status/404", "$base/json/array"
            $out = $inputs | Invoke-ParallelWebRequest -ErrorVariable errs -ErrorAction SilentlyContinue
            $out | Should -HaveCount 2
            $out[0].Content | Should -Be 'hello'
            $out[1].Content.id | Should -Be @(1, 2, 3)
            $errs | Should -HaveCount 4
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'WebConnectionRefused*'
            $errs[0].CategoryInfo.Category | Should -Be 'ConnectionError'
            $errs[0].ParallelJobItem.Index | Should -Be 1
            $errs[1].FullyQualifiedErrorId | Should -BeLike 'WebDnsFailure*'
            $errs[1].ParallelJobItem.Index | Should -Be 2
            $errs[2].FullyQualifiedErrorId | Should -BeLike 'WebInvalidJson*'
            $errs[2].CategoryInfo.Category | Should -Be 'InvalidData'
            $errs[2].Exception.Message | Should -Match 'not valid JSON'
            $errs[3].FullyQualifiedErrorId | Should -BeLike 'WebHttpError*'
            $errs[3].ParallelJobItem.Input | Should -Be "$base/status/404"
            $errs[3].Exception.InnerException.Response.StatusCode | Should -Be 404
            $errs[3].Exception.Message | Should -Match '404'
        }

        It 'refuses input that is not an http URI, item by item' {
            $out = 'ftp://example.invalid/file', @{ Method = 'GET' }, "$base/text" | Invoke-ParallelWebRequest -ErrorVariable errs -ErrorAction SilentlyContinue
            $out.Content | Should -Be 'hello'
            $errs | Should -HaveCount 2
            $errs | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'WebInvalidInput*' }
            $errs[1].Exception.Message | Should -Match 'Uri'
        }

        It 'writes error responses as results with -SkipHttpErrorCheck' {
            $r = Invoke-ParallelWebRequest "$base/status/404" -SkipHttpErrorCheck -ErrorVariable errs
            $errs | Should -HaveCount 0
            $r.StatusCode | Should -Be 404
            $r.Content | Should -Be 'status 404'
        }

        It 'stops at the first failure with -ErrorAction Stop' {
            { "$base/status/500", "$base/text" | Invoke-ParallelWebRequest -ThrottleLimit 1 -ErrorAction Stop } | Should -Throw -ErrorId 'WebHttpError*'
        }
    }

    Context 'Timeouts' {
        It 'times out a request that gets no answer, per request, and the others finish' {
            $out = "$base/delay/10000", "$base/text" | Invoke-ParallelWebRequest -ItemTimeoutSeconds 1 -ErrorVariable errs -ErrorAction SilentlyContinue
            $out.Content | Should -Be 'hello'
            $errs | Should -HaveCount 1
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ItemTimedOut*'
            $errs[0].ParallelJobItem.Index | Should -Be 0
        }

        It 'times out a response whose body is too slow' {
            $r = Invoke-ParallelWebRequest "$base/slow?ms=10000" -ItemTimeoutSeconds 1 -AsResult
            $r.Status | Should -Be 'TimedOut'
            $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'ItemTimedOut*'
        }

        It 'retries a timed-out request with -RetryCount' {
            $r = Invoke-ParallelWebRequest "$base/delay/10000" -ItemTimeoutSeconds 0.5 -RetryCount 1 -RetryDelay 0.01 -AsResult
            $r.Status | Should -Be 'TimedOut'
            $r.Attempts | Should -Be 2
        }
    }

    Context 'Retries' {
        It 'retries 429 answers, waiting as long as Retry-After (seconds) says' {
            $key = New-Key
            $r = Invoke-ParallelWebRequest "$base/retry/${key}?fails=2&after=1" -RetryCount 3 -RetryDelay 0.01
            $r.StatusCode | Should -Be 200
            $r.Content.attempt | Should -Be 3
            $r.Attempts | Should -Be 3
            $hits = Get-Hits $key
            $hits.count | Should -Be 3
            ($hits.times[1] - $hits.times[0]) | Should -BeGreaterOrEqual 950
            ($hits.times[2] - $hits.times[1]) | Should -BeGreaterOrEqual 950
        }

        It 'honours Retry-After given as an HTTP date' {
            $key = New-Key
            $r = Invoke-ParallelWebRequest "$base/retry/${key}?fails=1&after=2&date=1" -RetryCount 2 -RetryDelay 0.01
            $r.StatusCode | Should -Be 200
            $hits = Get-Hits $key
            $hits.count | Should -Be 2
            # The date has whole seconds: two seconds from now is at least one second away.
            ($hits.times[1] - $hits.times[0]) | Should -BeGreaterOrEqual 900
        }

        It 'retries 5xx answers with backoff until a flaky endpoint succeeds' {
            $key = New-Key
            $r = Invoke-ParallelWebRequest "$base/retry/${key}?fails=2&code=503" -RetryCount 2 -RetryDelay 0.05 -Verbose 4>&1
            # -Verbose also writes the WebRequest:/WebResponse: lines of each request; these are the retry notices.
            $verbose = $r | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -notmatch '^Web(Request|Response):' }
            $response = $r | Where-Object { $_ -is [ParallelJobs.ParallelWebResponse] }
            $response.StatusCode | Should -Be 200
            $verbose | Should -HaveCount 2
            $verbose[0].Message | Should -Match 'retrying'
            (Get-Hits $key).count | Should -Be 3
        }

        It 'gives up after -RetryCount and reports the last status' {
            $key = New-Key
            $r = Invoke-ParallelWebRequest "$base/retry/${key}?fails=5&code=500" -RetryCount 1 -RetryDelay 0.01 -AsResult
            $r.Status | Should -Be 'Failed'
            $r.Attempts | Should -Be 2
            $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'WebHttpError*'
            $r.Errors[0].Exception.InnerException.StatusCode | Should -Be 500
            (Get-Hits $key).count | Should -Be 2
        }

        It 'does not retry a 404' {
            $key = New-Key
            $r = Invoke-ParallelWebRequest "$base/retry/${key}?fails=5&code=404" -RetryCount 3 -RetryDelay 0.01 -AsResult
            $r.Status | Should -Be 'Failed'
            $r.Attempts | Should -Be 1
            (Get-Hits $key).count | Should -Be 1
        }

        It 'does not retry invalid JSON or a DNS failure' {
            $r = "$base/json/invalid", 'http://no-such-host.invalid/' | Invoke-ParallelWebRequest -RetryCount 3 -RetryDelay 0.01 -AsResult
            $r.Attempts | Should -Be @(1, 1)
        }

        It 'retries a refused connection' {
            $r = Invoke-ParallelWebRequest "http://127.0.0.1:$(Get-ClosedPort)/" -RetryCount 1 -RetryDelay 0.01 -AsResult
            $r.Attempts | Should -Be 2
            $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'WebConnectionRefused*'
        }
    }

    Context '-AsResult' {
        It 'writes one result per request, in order, with status, output and errors' {
            $inputs = "$base/text", "$base/status/500", "$base/delay/10000", "$base/json/array"
            $r = $inputs | Invoke-ParallelWebRequest -AsResult -ItemTimeoutSeconds 1 -ErrorVariable errs
            $errs | Should -HaveCount 0
            $r | Should -HaveCount 4
            $r[0] | Should -BeOfType ParallelJobs.ParallelJobResult
            $r.Index | Should -Be @(0, 1, 2, 3)
            $r.Status | Should -Be @('Completed', 'Failed', 'TimedOut', 'Completed')
            $r[0].Output[0].Content | Should -Be 'hello'
            $r[1].Errors[0].FullyQualifiedErrorId | Should -BeLike 'WebHttpError*'
            $r[3].Output[0].Content.id | Should -Be @(1, 2, 3)
            $r[3].Input | Should -Be "$base/json/array"
        }
    }

    Context 'Job log' {
        It 'records responses with -LogPath and sends only the missing requests with -Resume' {
            $log = Join-Path ([System.IO.Path]::GetTempPath()) "pj-web-$(New-Key).jsonl"
            try {
                $keys = 1..3 | ForEach-Object { New-Key }
                $uris = $keys | ForEach-Object { "$base/retry/${_}?fails=0" }
                $first = $uris[0, 1] | Invoke-ParallelWebRequest -LogPath $log -Key { $_ }
                $first | Should -HaveCount 2
                $again = $uris | Invoke-ParallelWebRequest -LogPath $log -Resume -Key { $_ }
                $again | Should -HaveCount 3
                $again.StatusCode | Should -Be @(200, 200, 200)
                $keys | ForEach-Object { (Get-Hits $_).count } | Should -Be @(1, 1, 1)
            }
            finally {
                Remove-Item $log -ErrorAction Ignore
            }
        }
    }

    Context 'Help' {
        It 'describes every parameter, the inherited common ones too' {
            $help = Get-Help Invoke-ParallelWebRequest -Full
            $help.Synopsis | Should -Match 'HTTP'
            foreach ($name in 'MaxPerHost', 'AsJson', 'Raw', 'ItemTimeoutSeconds', 'RetryCount', 'AsResult', 'TimeoutSec', 'MaximumRetryCount', 'RetryIntervalSec', 'RetryNonIdempotent') {
                ($help.parameters.parameter | Where-Object name -eq $name).description.Text | Should -Not -BeNullOrEmpty
            }
        }
    }
}
