# Invoke-ParallelWebRequest against Invoke-RestMethod and ConvertFrom-Json in the same session: the same bodies give
# the same values, of the same types; -Body is sent the same way; Invoke-RestMethod's parameter names mean what they
# mean there; POST and PATCH are not sent twice. The servers are this file's own, on 127.0.0.1 only: a small
# HttpListener that serves any body, status or failure a test sets, and the Kestrel test server for /echo and /delay.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    $ErrorActionPreference = 'Continue'
    . (Join-Path $PSScriptRoot 'WebTestServer.ps1')
    $script:server = Start-WebTestServer
    $script:base = $server.BaseUri

    # The body server: $answers[name] says what /name answers (Type, Body, Status, DelayMs); $hits counts requests.
    $script:answers = [hashtable]::Synchronized(@{})
    $script:hits = [hashtable]::Synchronized(@{})
    $port = Get-ClosedPort
    $script:listener = [System.Net.HttpListener]::new()
    $listener.Prefixes.Add("http://127.0.0.1:$port/")
    $listener.Start()
    $script:bodyBase = "http://127.0.0.1:$port"
    $script:serverShell = [powershell]::Create()
    $null = $serverShell.AddScript({
        param($listener, $answers, $hits)
        while ($listener.IsListening) {
            try { $context = $listener.GetContext() } catch { break }
            try {
                $name = $context.Request.Url.AbsolutePath.TrimStart('/')
                $hits[$name] = 1 + [int]$hits[$name]
                $answer = $answers[$name]
                if (-not $answer) { $answer = @{ Status = 404; Body = 'no such answer'; Type = 'text/plain' } }
                if ($answer.DelayMs) { Start-Sleep -Milliseconds $answer.DelayMs }
                $bytes = [System.Text.UTF8Encoding]::new($false).GetBytes([string]$answer.Body)
                $context.Response.StatusCode = if ($answer.Status) { $answer.Status } else { 200 }
                if ($answer.Type) { $context.Response.ContentType = $answer.Type }
                $context.Response.ContentLength64 = $bytes.Length
                $context.Response.OutputStream.Write($bytes, 0, $bytes.Length)
                $context.Response.Close()
            }
            catch {
                # A client that gave up mid-answer: serve the next one.
            }
        }
    }).AddArgument($listener).AddArgument($answers).AddArgument($hits)
    $script:serverRun = $serverShell.BeginInvoke()

    # A port that reads each request and drops the connection without a word: a dropped connection.
    $script:dropper = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $dropper.Start()
    $script:dropBase = "http://127.0.0.1:$($dropper.LocalEndpoint.Port)"
    $script:drops = [hashtable]::Synchronized(@{ Count = 0 })
    $script:dropperShell = [powershell]::Create()
    $null = $dropperShell.AddScript({
        param($dropper, $drops)
        while ($true) {
            try { $client = $dropper.AcceptTcpClient() } catch { break }
            try {
                $buffer = [byte[]]::new(8192)
                $null = $client.GetStream().Read($buffer, 0, $buffer.Length)
                $drops.Count++
                $client.Client.LingerState = [System.Net.Sockets.LingerOption]::new($true, 0)
            }
            catch { }
            $client.Close()
        }
    }).AddArgument($dropper).AddArgument($drops)
    $script:dropperRun = $dropperShell.BeginInvoke()

    function Set-Answer([string] $Name, [string] $Body = '', [string] $Type = 'application/json', [int] $Status = 200, [int] $DelayMs = 0) {
        $answers[$Name] = @{ Body = $Body; Type = $Type; Status = $Status; DelayMs = $DelayMs }
        $hits[$Name] = 0
        "$bodyBase/$Name"
    }

    # Differences between two values, type and value, all the way down; none means they are the same.
    function Compare-Deep($Actual, $Expected, [string] $Path = '$') {
        if ($null -eq $Expected -or $null -eq $Actual) {
            if (-not ($null -eq $Expected -and $null -eq $Actual)) { "${Path}: $(if ($null -eq $Actual) { 'null' } else { $Actual.GetType().Name }) vs $(if ($null -eq $Expected) { 'null' } else { $Expected.GetType().Name })" }
            return
        }
        # PowerShell wraps values in PSObject here and there; what counts is the object inside.
        $custom = [System.Management.Automation.PSCustomObject]
        $a = if ($Actual.psobject.BaseObject -is $custom) { $Actual } else { $Actual.psobject.BaseObject }
        $e = if ($Expected.psobject.BaseObject -is $custom) { $Expected } else { $Expected.psobject.BaseObject }
        if ($e.psobject.BaseObject -is $custom) {
            if ($a.psobject.BaseObject -isnot $custom) { "${Path}: $($a.GetType().Name) vs PSCustomObject"; return }
            $an = @($a.PSObject.Properties.Name); $en = @($e.PSObject.Properties.Name)
            if (($an -join ',') -cne ($en -join ',')) { "${Path}: properties $($an -join ',') vs $($en -join ',')"; return }
            foreach ($n in $en) { Compare-Deep $a.$n $e.$n "$Path.$n" }
            return
        }
        if ($e -is [array]) {
            if ($a -isnot [array]) { "${Path}: $($a.GetType().Name) vs array"; return }
            if ($a.Count -ne $e.Count) { "${Path}: $($a.Count) items vs $($e.Count)"; return }
            for ($i = 0; $i -lt $e.Count; $i++) { Compare-Deep $a[$i] $e[$i] "$Path[$i]" }
            return
        }
        if ($a.GetType() -ne $e.GetType()) { "${Path}: $($a.GetType().FullName) vs $($e.GetType().FullName)"; return }
        if ($e -is [datetime] -and $a.Kind -ne $e.Kind) { "${Path}: DateTime kind $($a.Kind) vs $($e.Kind)" }
        if ($e -is [double] -and [double]::IsNaN($e)) { if (-not [double]::IsNaN($a)) { "${Path}: $a vs NaN" }; return }
        if (-not $a.Equals($e)) { "${Path}: $a vs $e" }
    }

    $script:corpus = [ordered]@{
        dates       = '{"utc":"2024-01-02T03:04:05Z","local":"2024-01-02T03:04:05","offset":"2024-01-02T03:04:05.123+02:00","notADate":"2024-13-45T99:00:00","plain":"2024"}'
        bigIntegers = '{"max":9223372036854775807,"over":9223372036854775808,"big":123456789012345678901234567890,"negative":-98765432109876543210}'
        numbers     = '{"int":42,"neg":-7,"tenth":0.1,"exp":1.5e-10,"huge":1e400,"bigFraction":12345678901234567890.5,"zero":-0}'
        comments    = "/* a leading comment */ {`"a`": [1, 2, ], // a line comment`n `"b`": {`"c`": true, }, }"
        nanInfinity = '[NaN, Infinity, -Infinity]'
        sameKey     = '{"a":1,"a":2}'
        lenient     = "{'single': 'quoted', bare: 1}"
        nested      = '[[1,[2,[]]],{"x":[],"y":{}},null,true,"s"]'
        escapes     = '{"text":"caf\u00e9 \"quoted\" \\ / \n tab\t","emoji":"\ud83d\ude00"}'
        scalar      = '42'
        text        = '"just a string"'
        nullLiteral = 'null'
        commentOnly = '/* nothing else */'
    }
}

AfterAll {
    $dropper.Stop()
    $null = $dropperRun.AsyncWaitHandle.WaitOne(5000)
    $dropperShell.Dispose()
    $listener.Stop()
    $listener.Close()
    $null = $serverRun.AsyncWaitHandle.WaitOne(5000)
    $serverShell.Dispose()
    Stop-WebTestServer $server
}

Describe 'Invoke-ParallelWebRequest parses JSON as Invoke-RestMethod does' {
    It 'gives the same value and types as Invoke-RestMethod and ConvertFrom-Json for <_>' -ForEach @(
        'dates', 'bigIntegers', 'numbers', 'comments', 'nanInfinity', 'sameKey', 'lenient', 'nested', 'escapes', 'scalar', 'text', 'nullLiteral', 'commentOnly'
    ) {
        $text = $corpus[$_]
        $uri = Set-Answer "json-$_" -Body $text
        $irm = Invoke-RestMethod $uri
        $fromJson = ConvertFrom-Json -InputObject $text -NoEnumerate
        $ours = (Invoke-ParallelWebRequest $uri -ErrorAction Stop).Content

        Compare-Deep $irm $fromJson | Should -BeNullOrEmpty -Because 'Invoke-RestMethod and ConvertFrom-Json are the reference'
        Compare-Deep $ours $irm | Should -BeNullOrEmpty
    }

    It 'makes DateTime, BigInteger and NaN values on PowerShell 7' {
        $ours = (Invoke-ParallelWebRequest (Set-Answer 'json-types' -Body '{"d":"2024-01-02T03:04:05Z","n":123456789012345678901234567890,"x":[NaN]}')).Content
        $ours.d | Should -BeOfType [datetime]
        $ours.d.Kind | Should -Be 'Utc'
        $ours.n | Should -BeOfType [System.Numerics.BigInteger]
        $ours.n.ToString() | Should -BeExactly '123456789012345678901234567890'
        [double]::IsNaN($ours.x[0]) | Should -BeTrue
    }

    It 'gives the empty string for an empty body, as Invoke-RestMethod does' {
        $uri = Set-Answer 'json-empty' -Body ''
        $irm = Invoke-RestMethod $uri
        $irm | Should -BeExactly ''
        $r = Invoke-ParallelWebRequest $uri -ErrorAction Stop
        $r.Content | Should -BeOfType [string]
        $r.Content | Should -BeExactly $irm
        (Invoke-ParallelWebRequest $uri -AsJson -ErrorAction Stop).Content | Should -BeExactly ''
    }

    It 'keeps a whitespace-only body as its text, as Invoke-RestMethod does' {
        $uri = Set-Answer 'json-blank' -Body "  `n "
        $irm = Invoke-RestMethod $uri
        (Invoke-ParallelWebRequest $uri -ErrorAction Stop).Content | Should -BeExactly $irm
    }

    It 'refuses <Name> as ConvertFrom-Json does, with WebInvalidJson where Invoke-RestMethod falls back to text' -ForEach @(
        @{ Name = 'keys that differ only in case'; Text = '{"a":1,"A":2}'; Reason = 'different casing' }
        @{ Name = 'an empty key'; Text = '{"":1}'; Reason = 'empty string' }
        @{ Name = 'truncated JSON'; Text = '{"a": [1, 2,'; Reason = '' }
    ) {
        { ConvertFrom-Json -InputObject $Text -ErrorAction Stop } | Should -Throw
        $uri = Set-Answer "json-bad-$($Text.Length)" -Body $Text
        Invoke-RestMethod $uri | Should -BeExactly $Text -Because 'Invoke-RestMethod returns the text of a body it cannot convert'

        $r = Invoke-ParallelWebRequest $uri -AsResult
        $r.Status | Should -Be 'Failed'
        $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'WebInvalidJson*'
        if ($Reason) { $r.Errors[0].Exception.Message | Should -Match $Reason }
        (Invoke-ParallelWebRequest $uri -Raw -ErrorAction Stop).Content | Should -BeExactly $Text
    }
}

Describe 'Invoke-ParallelWebRequest sends -Body as Invoke-RestMethod does' {
    BeforeAll {
        function Get-Echo($Response) { $Response.Content | Select-Object method, body, contentType, query }
    }

    It 'puts a hashtable body of a GET into the query string' {
        $body = [ordered]@{ a = 1; b = 'x y&z'; empty = $null }
        $irm = Invoke-RestMethod "$base/echo?keep=1" -Body $body
        $ours = Get-Echo (Invoke-ParallelWebRequest "$base/echo?keep=1" -Body $body -ErrorAction Stop)
        $ours.query | Should -BeExactly $irm.query
        $ours.query | Should -BeExactly '?keep=1&a=1&b=x+y%26z&empty='
        $ours.body | Should -BeExactly $irm.body
    }

    It 'form-encodes a hashtable body of a <_>' -ForEach 'POST', 'PUT', 'PATCH' {
        $body = [ordered]@{ name = 'Ada Lovelace'; n = 2 }
        $irm = Invoke-RestMethod "$base/echo" -Method $_ -Body $body
        $ours = Get-Echo (Invoke-ParallelWebRequest "$base/echo" -Method $_ -Body $body -ErrorAction Stop)
        $ours.body | Should -BeExactly 'name=Ada+Lovelace&n=2'
        $ours.body | Should -BeExactly $irm.body
        $ours.contentType | Should -Be 'application/x-www-form-urlencoded'
        if ($irm.contentType) { $ours.contentType | Should -Be $irm.contentType }
    }

    It 'sends a string body as it is, with the Content-Type Invoke-RestMethod gives it, on <_>' -ForEach 'POST', 'PUT' {
        $irm = Invoke-RestMethod "$base/echo" -Method $_ -Body '{"raw":true}'
        $ours = Get-Echo (Invoke-ParallelWebRequest "$base/echo" -Method $_ -Body '{"raw":true}' -ErrorAction Stop)
        $ours.body | Should -BeExactly '{"raw":true}'
        $ours.contentType | Should -Be $irm.contentType
    }

    It 'sends a JSON string as JSON with -ContentType application/json, as Invoke-RestMethod does' {
        $irm = Invoke-RestMethod "$base/echo" -Method POST -Body '{"a":1}' -ContentType 'application/json'
        $ours = Get-Echo (Invoke-ParallelWebRequest "$base/echo" -Method POST -Body '{"a":1}' -ContentType 'application/json' -ErrorAction Stop)
        $ours.body | Should -BeExactly $irm.body
        $ours.contentType | Should -Be $irm.contentType
    }

    It 'sends a hashtable as JSON when the Content-Type says JSON (Invoke-RestMethod would form-encode it)' {
        $ours = Get-Echo (Invoke-ParallelWebRequest "$base/echo" -Method POST -Body @{ a = 1 } -ContentType 'application/json' -ErrorAction Stop)
        $ours.body | ConvertFrom-Json | ForEach-Object a | Should -Be 1
        $ours.contentType | Should -Be 'application/json'
    }
}

Describe "Invoke-RestMethod's parameter names" {
    It '-TimeoutSec is the per-request timeout, not an abbreviation of the run-wide -TimeoutSeconds' {
        $uris = 1..5 | ForEach-Object { "$base/delay/600?n=$_" }
        $r = $uris | Invoke-ParallelWebRequest -TimeoutSec 1 -ThrottleLimit 1 -AsResult
        $r.Status | Should -Be @('Completed', 'Completed', 'Completed', 'Completed', 'Completed')

        $slow = Invoke-ParallelWebRequest "$base/delay/5000" -TimeoutSec 1 -AsResult
        $slow.Status | Should -Be 'TimedOut'
        $slow.Errors[0].FullyQualifiedErrorId | Should -BeLike 'ItemTimedOut*'
    }

    It '-TimeoutSec and -ItemTimeoutSeconds together are refused' {
        { Invoke-ParallelWebRequest "$base/text" -TimeoutSec 1 -ItemTimeoutSeconds 2 -ErrorAction Stop } |
            Should -Throw -ErrorId 'WebParameterConflict*'
    }

    It '-MaximumRetryCount and -RetryIntervalSec retry as -RetryCount and -RetryDelay do' {
        $key = [guid]::NewGuid().ToString('n')
        $r = Invoke-ParallelWebRequest "$base/retry/${key}?fails=2&code=503" -MaximumRetryCount 2 -RetryIntervalSec 0 -ErrorAction Stop
        $r.StatusCode | Should -Be 200
        $r.Attempts | Should -Be 3
        { Invoke-ParallelWebRequest "$base/text" -MaximumRetryCount 1 -RetryCount 1 -ErrorAction Stop } | Should -Throw -ErrorId 'WebParameterConflict*'
    }

    It '-Method tab-completes the HTTP methods' {
        $line = 'Invoke-ParallelWebRequest http://127.0.0.1/ -Method P'
        $names = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $names | Should -Be @('POST', 'PUT', 'PATCH')
    }
}

Describe 'Methods that are not idempotent are not sent twice' {
    It 'retries a GET after a 503 but not a POST' {
        $get = Set-Answer 'unavailable-get' -Body 'busy' -Type 'text/plain' -Status 503
        $post = Set-Answer 'unavailable-post' -Body 'busy' -Type 'text/plain' -Status 503
        $g = Invoke-ParallelWebRequest $get -RetryCount 2 -RetryDelay 0 -AsResult
        $p = Invoke-ParallelWebRequest $post -Method POST -Body 'x' -RetryCount 2 -RetryDelay 0 -AsResult
        $hits['unavailable-get'] | Should -Be 3
        $g.Attempts | Should -Be 3
        $hits['unavailable-post'] | Should -Be 1
        $p.Status | Should -Be 'Failed'
        $p.Attempts | Should -Be 1
        $p.Errors[0].FullyQualifiedErrorId | Should -BeLike 'WebHttpError*'
    }

    It 'retries a POST after a 503 with -RetryNonIdempotent' {
        $uri = Set-Answer 'unavailable-allowed' -Body 'busy' -Type 'text/plain' -Status 503
        $p = Invoke-ParallelWebRequest $uri -Method POST -Body 'x' -RetryCount 2 -RetryDelay 0 -RetryNonIdempotent -AsResult
        $hits['unavailable-allowed'] | Should -Be 3
        $p.Attempts | Should -Be 3
    }

    It 'retries a POST after a 429, which the server did not act on' {
        $uri = Set-Answer 'limited-post' -Body 'slow down' -Type 'text/plain' -Status 429
        $null = Invoke-ParallelWebRequest $uri -Method POST -Body 'x' -RetryCount 1 -RetryDelay 0 -AsResult
        $hits['limited-post'] | Should -Be 2
    }

    It 'retries a PUT after a dropped connection but not a PATCH' {
        $drops.Count = 0
        $put = Invoke-ParallelWebRequest "$dropBase/put" -Method PUT -Body 'x' -RetryCount 1 -RetryDelay 0 -AsResult
        $put.Errors[0].FullyQualifiedErrorId | Should -BeLike 'WebConnectionFailed*'
        $put.Attempts | Should -Be 2
        $drops.Count | Should -Be 2

        $drops.Count = 0
        $patch = Invoke-ParallelWebRequest "$dropBase/patch" -Method PATCH -Body 'x' -RetryCount 1 -RetryDelay 0 -AsResult
        $patch.Status | Should -Be 'Failed'
        $patch.Attempts | Should -Be 1
        $drops.Count | Should -Be 1
    }

    It 'does not send a timed-out POST again, but does a GET' {
        $post = Set-Answer 'slow-post' -Body '{}' -DelayMs 1500
        $r = Invoke-ParallelWebRequest $post -Method POST -Body 'x' -TimeoutSec 1 -MaximumRetryCount 2 -RetryIntervalSec 0 -AsResult
        $r.Status | Should -BeIn 'Failed', 'TimedOut'
        $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'ItemTimedOut*'
        $r.Errors[0].Exception.Message | Should -Match 'not idempotent'
        Start-Sleep -Milliseconds 1000   # the single-threaded body server finishes the late answer
        $hits['slow-post'] | Should -Be 1

        $get = Set-Answer 'slow-get' -Body '{}' -DelayMs 1500
        $g = Invoke-ParallelWebRequest $get -TimeoutSec 1 -MaximumRetryCount 1 -RetryIntervalSec 0 -AsResult
        $g.Status | Should -Be 'TimedOut'
        $g.Attempts | Should -Be 2
    }
}
