# Invoke-ParallelWebRequest's Invoke-RestMethod parameters (-MaximumRedirection, -SkipCertificateCheck, -Credential,
# -Authentication/-Token, -UserAgent, -WebSession, object bodies, header checks) beside Invoke-RestMethod against the
# same server, and -MaximumResponseSizeMB against a gzip bomb and an endless body. The servers are this file's own,
# on 127.0.0.1 only: an HttpListener (http) and a TcpListener with SslStream and a throwaway self-signed certificate (https).

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    $ErrorActionPreference = 'Continue'
    . (Join-Path $PSScriptRoot 'WebTestServer.ps1')

    $script:hits = [hashtable]::Synchronized(@{})
    $port = Get-ClosedPort
    $script:listener = [System.Net.HttpListener]::new()
    $listener.Prefixes.Add("http://127.0.0.1:$port/")
    $listener.Start()
    $script:base = "http://127.0.0.1:$port"
    $script:serverShell = [powershell]::Create()
    $null = $serverShell.AddScript({
        param($listener, $hits)
        while ($listener.IsListening) {
            try { $context = $listener.GetContext() } catch { break }
            $request = $context.Request
            $response = $context.Response
            try {
                $path = $request.Url.AbsolutePath
                $hits[$path] = 1 + [int]$hits[$path]
                $text = $null
                switch -Regex ($path) {
                    '^/to/(\d+)$' { $response.StatusCode = [int]$Matches[1]; $response.RedirectLocation = '/echo'; $text = '' }
                    '^/loop$' { $response.StatusCode = 302; $response.RedirectLocation = '/loop'; $text = '' }
                    '^/hop/(\d+)$' {
                        $n = [int]$Matches[1]
                        if ($n -gt 0) { $response.StatusCode = 302; $response.RedirectLocation = "/hop/$($n - 1)"; $text = '' }
                        else { $response.ContentType = 'text/plain'; $text = 'arrived' }
                    }
                    '^/echo$' {
                        $reader = [System.IO.StreamReader]::new($request.InputStream)
                        $headers = [ordered]@{}
                        foreach ($name in $request.Headers.AllKeys) { $headers[$name] = $request.Headers[$name] }
                        $response.ContentType = 'application/json'
                        $text = [ordered]@{ Method = $request.HttpMethod; Body = $reader.ReadToEnd(); Headers = $headers } | ConvertTo-Json -Compress
                    }
                    '^/basic$' {
                        if ($request.Headers['Authorization']) { $response.ContentType = 'text/plain'; $text = $request.Headers['Authorization'] }
                        else { $response.StatusCode = 401; $response.AddHeader('WWW-Authenticate', 'Basic realm="test"'); $text = '' }
                    }
                    '^/setcookie$' { $response.AppendHeader('Set-Cookie', 'flavour=oat; Path=/'); $response.ContentType = 'text/plain'; $text = 'set' }
                    '^/bomb$' {
                        # A gzip that inflates to up to 1 GB of zeros; the client gives up long before.
                        $response.SendChunked = $true
                        $response.AddHeader('Content-Encoding', 'gzip')
                        $response.ContentType = 'application/octet-stream'
                        $zip = [System.IO.Compression.GZipStream]::new($response.OutputStream, [System.IO.Compression.CompressionLevel]::Optimal)
                        $zeros = [byte[]]::new(1MB)
                        try { for ($i = 0; $i -lt 1024; $i++) { $zip.Write($zeros, 0, $zeros.Length) } ; $zip.Dispose() } catch { }
                    }
                    '^/endless$' {
                        $response.SendChunked = $true
                        $response.ContentType = 'application/octet-stream'
                        $chunk = [byte[]]::new(64KB)
                        try { for ($i = 0; $i -lt 65536; $i++) { $response.OutputStream.Write($chunk, 0, $chunk.Length) } } catch { }
                    }
                    default { $response.StatusCode = 404; $text = 'none' }
                }
                if ($null -ne $text) {
                    $bytes = [System.Text.UTF8Encoding]::new($false).GetBytes($text)
                    $response.ContentLength64 = $bytes.Length
                    $response.OutputStream.Write($bytes, 0, $bytes.Length)
                }
                $response.Close()
            }
            catch { try { $response.Abort() } catch { } }
        }
    }).AddArgument($listener).AddArgument($hits)
    $script:serverRun = $serverShell.BeginInvoke()

    # https: /tohttp redirects to the http server, anything else answers 200 'secure'.
    $rsa = [System.Security.Cryptography.RSA]::Create(2048)
    $certRequest = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=127.0.0.1', $rsa,
        [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
    $script:cert = $certRequest.CreateSelfSigned([datetimeoffset]::Now.AddDays(-1), [datetimeoffset]::Now.AddDays(1))
    $script:tls = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $tls.Start()
    $script:secureBase = "https://127.0.0.1:$($tls.LocalEndpoint.Port)"
    $script:tlsShell = [powershell]::Create()
    $null = $tlsShell.AddScript({
        param($tls, $cert, $target)
        while ($true) {
            try { $client = $tls.AcceptTcpClient() } catch { break }
            try {
                $ssl = [System.Net.Security.SslStream]::new($client.GetStream())
                $ssl.AuthenticateAsServer($cert)
                $buffer = [byte[]]::new(8192)
                $read = $ssl.Read($buffer, 0, $buffer.Length)
                $line = [System.Text.Encoding]::ASCII.GetString($buffer, 0, $read)
                $answer = if ($line -match '^\S+ /tohttp') { "HTTP/1.1 302 Found`r`nLocation: $target`r`nContent-Length: 0`r`nConnection: close`r`n`r`n" }
                          else { "HTTP/1.1 200 OK`r`nContent-Type: text/plain`r`nContent-Length: 6`r`nConnection: close`r`n`r`nsecure" }
                $bytes = [System.Text.Encoding]::ASCII.GetBytes($answer)
                $ssl.Write($bytes, 0, $bytes.Length)
                $ssl.Flush()
            }
            catch { }
            $client.Close()
        }
    }).AddArgument($tls).AddArgument($cert).AddArgument("$base/hop/0")
    $script:tlsRun = $tlsShell.BeginInvoke()

    $script:pass = ConvertTo-SecureString 'pa:ss' -AsPlainText -Force
    $script:cred = [pscredential]::new('bob', $pass)
}

AfterAll {
    $listener.Stop(); $listener.Close()
    $tls.Stop()
    foreach ($shell in $serverShell, $tlsShell) { $shell.Stop(); $shell.Dispose() }
}

Describe 'Redirects' {
    It 'follows a chain within -MaximumRedirection as Invoke-RestMethod does' {
        $ours = Invoke-ParallelWebRequest "$base/hop/3"
        $theirs = Invoke-RestMethod "$base/hop/3"
        $ours.Content | Should -Be $theirs
        $ours.Content | Should -Be 'arrived'
        $ours.Uri.AbsolutePath | Should -Be '/hop/0'
    }

    It 'defaults to 5 redirects, as Invoke-RestMethod -MaximumRedirection 5 (its documented default)' {
        # PowerShell 7.6 left to itself follows up to 50 (HttpClient's limit); its help says 5, and 5 is the default here.
        (Invoke-ParallelWebRequest "$base/hop/5").Content | Should -Be (Invoke-RestMethod "$base/hop/5" -MaximumRedirection 5)
        $errs = $null
        $null = Invoke-ParallelWebRequest "$base/hop/6" -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'WebTooManyRedirects*'
        { Invoke-RestMethod "$base/hop/6" -MaximumRedirection 5 -ErrorAction Stop } | Should -Throw
    }

    It 'ends a redirect loop in WebTooManyRedirects after as many requests as Invoke-RestMethod sends' {
        $hits.Clear()
        $errs = $null
        $out = Invoke-ParallelWebRequest "$base/loop" -MaximumRedirection 2 -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'WebTooManyRedirects*'
        $ourHits = $hits['/loop']
        $hits.Clear()
        { Invoke-RestMethod "$base/loop" -MaximumRedirection 2 -ErrorAction Stop } | Should -Throw
        $ourHits | Should -Be $hits['/loop']
        $ourHits | Should -Be 3
    }

    It 'goes on after a <Code> to a POST as Invoke-RestMethod does' -ForEach @(
        @{ Code = 301 }, @{ Code = 302 }, @{ Code = 303 }, @{ Code = 307 }, @{ Code = 308 }
    ) {
        $ours = Invoke-ParallelWebRequest "$base/to/$Code" -Method POST -Body 'payload' -ContentType 'text/plain'
        $theirs = Invoke-RestMethod "$base/to/$Code" -Method POST -Body 'payload' -ContentType 'text/plain'
        $ours.Content.Method | Should -Be $theirs.Method
        $ours.Content.Body | Should -Be $theirs.Body
        $ours.Content.Method | Should -Be $(if ($Code -ge 307) { 'POST' } else { 'GET' })
    }

    It 'does not send the Authorization header on after a redirect, as Invoke-RestMethod does not' {
        $headers = @{ Authorization = 'Bearer secret' }
        $ours = Invoke-ParallelWebRequest "$base/to/302" -Headers $headers
        $theirs = Invoke-RestMethod "$base/to/302" -Headers $headers
        $ours.Content.Headers.Authorization | Should -Be $theirs.Headers.Authorization
        $ours.Content.Headers.Authorization | Should -BeNullOrEmpty
        (Invoke-ParallelWebRequest "$base/echo" -Headers $headers).Content.Headers.Authorization | Should -Be 'Bearer secret'
    }

    It 'refuses https to http with WebInsecureRedirect' {
        $errs = $null
        $out = Invoke-ParallelWebRequest "$secureBase/tohttp" -SkipCertificateCheck -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'WebInsecureRedirect*'
    }
}

Describe '-SkipCertificateCheck' {
    It 'refuses a self-signed certificate without it, as Invoke-RestMethod does' {
        $errs = $null
        $null = Invoke-ParallelWebRequest "$secureBase/x" -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'WebConnectionFailed*'
        { Invoke-RestMethod "$secureBase/x" -ErrorAction Stop } | Should -Throw
    }

    It 'accepts it with the switch, with one warning per run' {
        $warnings = $null
        $out = Invoke-ParallelWebRequest "$secureBase/a", "$secureBase/b", "$secureBase/c" -SkipCertificateCheck -WarningVariable warnings -WarningAction SilentlyContinue
        $out.Content | Should -Be @('secure', 'secure', 'secure')
        $out[0].Content | Should -Be (Invoke-RestMethod "$secureBase/a" -SkipCertificateCheck)
        $warnings.Count | Should -Be 1
    }
}

Describe 'Authentication and identity' {
    It 'sends -Authentication Basic -Credential as Invoke-RestMethod does' {
        $ours = Invoke-ParallelWebRequest "$base/echo" -Authentication Basic -Credential $cred -AllowUnencryptedAuthentication
        $theirs = Invoke-RestMethod "$base/echo" -Authentication Basic -Credential $cred -AllowUnencryptedAuthentication
        $ours.Content.Headers.Authorization | Should -Be $theirs.Headers.Authorization
        $ours.Content.Headers.Authorization | Should -Be ('Basic ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes('bob:pa:ss')))
    }

    It 'sends -Authentication Bearer -Token as Invoke-RestMethod does' {
        $token = ConvertTo-SecureString 't0k3n' -AsPlainText -Force
        $ours = Invoke-ParallelWebRequest "$base/echo" -Authentication Bearer -Token $token -AllowUnencryptedAuthentication
        $theirs = Invoke-RestMethod "$base/echo" -Authentication Bearer -Token $token -AllowUnencryptedAuthentication
        $ours.Content.Headers.Authorization | Should -Be $theirs.Headers.Authorization
        $ours.Content.Headers.Authorization | Should -Be 'Bearer t0k3n'
    }

    It 'answers a Basic challenge with -Credential alone, as Invoke-RestMethod does' {
        $ours = Invoke-ParallelWebRequest "$base/basic" -Credential $cred -AllowUnencryptedAuthentication
        $theirs = Invoke-RestMethod "$base/basic" -Credential $cred -AllowUnencryptedAuthentication
        $ours.Content | Should -Be $theirs
        $ours.Content | Should -BeLike 'Basic *'
    }

    It 'refuses to send a secret over http without -AllowUnencryptedAuthentication, as Invoke-RestMethod does' {
        $errs = $null
        $null = Invoke-ParallelWebRequest "$base/echo" -Authentication Basic -Credential $cred -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'WebUnencryptedAuthentication*'
        { Invoke-RestMethod "$base/echo" -Authentication Basic -Credential $cred -ErrorAction Stop } | Should -Throw
    }

    It 'refuses -Authentication Bearer without -Token' {
        { Invoke-ParallelWebRequest "$base/echo" -Authentication Bearer -ErrorAction Stop } | Should -Throw -ErrorId 'WebAuthenticationInvalid*'
    }

    It 'sends -UserAgent as Invoke-RestMethod does' {
        $ours = Invoke-ParallelWebRequest "$base/echo" -UserAgent 'Probe/1.0 (test)'
        $theirs = Invoke-RestMethod "$base/echo" -UserAgent 'Probe/1.0 (test)'
        $ours.Content.Headers.'User-Agent' | Should -Be $theirs.Headers.'User-Agent'
    }

    It 'shares a -WebSession''s cookies and headers with every request, as Invoke-RestMethod does' {
        $session = [Microsoft.PowerShell.Commands.WebRequestSession]::new()
        $session.Headers['X-Session'] = 'yes'
        $null = Invoke-ParallelWebRequest "$base/setcookie" -WebSession $session
        $session.Cookies.GetCookies([uri]$base)['flavour'].Value | Should -Be 'oat'
        $ours = Invoke-ParallelWebRequest "$base/echo", "$base/echo" -WebSession $session
        $theirs = Invoke-RestMethod "$base/echo" -WebSession $session
        foreach ($one in $ours) {
            $one.Content.Headers.Cookie | Should -Be $theirs.Headers.Cookie
            $one.Content.Headers.'X-Session' | Should -Be 'yes'
            $one.Content.Headers.'User-Agent' | Should -Be $theirs.Headers.'User-Agent'
        }
        $theirs.Headers.Cookie | Should -Be 'flavour=oat'
    }
}

Describe 'Object bodies' {
    It 'writes <Name> as ConvertTo-Json does' -ForEach @(
        @{ Name = 'a PSCustomObject'; Value = [pscustomobject]@{ a = 1; b = 'x'; when = [datetime]'2024-01-02T03:04:05Z'; nested = [pscustomobject]@{ c = $true; d = @(1, 2) } } }
        @{ Name = 'an array'; Value = @(1, 'two', [pscustomobject]@{ three = 3.5 }) }
        @{ Name = 'an ordered hashtable'; Value = [ordered]@{ z = 1; a = @{ q = $null } } }
    ) {
        $ours = Invoke-ParallelWebRequest "$base/echo" -Method POST -Body $Value -ContentType 'application/json'
        $json = ConvertTo-Json -InputObject $Value -Depth 100 -Compress
        $theirs = Invoke-RestMethod "$base/echo" -Method POST -Body $json -ContentType 'application/json'
        $ours.Content.Body | Should -Be $theirs.Body
        $ours.Content.Body | Should -Be $json
    }
}

Describe 'Header injection' {
    It 'refuses CR, LF and NUL in <Where> per item, as Invoke-RestMethod refuses them' -ForEach @(
        @{ Where = 'a -Headers value'; Splat = @{ Headers = @{ 'X-A' = "v`r`nX-Injected: 1" } } }
        @{ Where = 'a -Headers name'; Splat = @{ Headers = @{ "X-A`nX-B" = 'v' } } }
        @{ Where = 'a NUL in a value'; Splat = @{ Headers = @{ 'X-A' = "v`0w" } } }
        @{ Where = '-ContentType'; Splat = @{ Method = 'POST'; Body = 'x'; ContentType = "text/plain`r`nX-Injected: 1" } }
        @{ Where = '-UserAgent'; Splat = @{ UserAgent = "ua`r`nX-Injected: 1" } }
    ) {
        $errs = $null
        $out = Invoke-ParallelWebRequest "$base/echo", "$base/echo" @Splat -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errs.Count | Should -Be 2
        $errs | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'WebInvalidHeader*' }
        { Invoke-RestMethod "$base/echo" @Splat -ErrorAction Stop } | Should -Throw
    }

    It 'refuses them in an item''s own Headers, and sends the other items' {
        $errs = $null
        $out = Invoke-ParallelWebRequest @("$base/echo", @{ Uri = "$base/echo"; Headers = @{ 'X-A' = "a`nb" } }) -ErrorVariable errs -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'WebInvalidHeader*'
    }
}

Describe '-MaximumResponseSizeMB' {
    It 'stops a gzip bomb at the cap, with memory bounded' {
        $process = [System.Diagnostics.Process]::GetCurrentProcess()
        $process.Refresh(); $before = $process.PeakWorkingSet64
        $errs = $null
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $out = Invoke-ParallelWebRequest "$base/bomb" -MaximumResponseSizeMB 20 -ErrorVariable errs -ErrorAction SilentlyContinue
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 60
        $out | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'WebResponseTooLarge*'
        $process.Refresh()
        ($process.PeakWorkingSet64 - $before) / 1MB | Should -BeLessThan 300
    }

    It 'stops an endless chunked body at the default cap of 100 MB' {
        $process = [System.Diagnostics.Process]::GetCurrentProcess()
        $process.Refresh(); $before = $process.PeakWorkingSet64
        $errs = $null
        $out = Invoke-ParallelWebRequest "$base/endless" -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'WebResponseTooLarge*'
        $errs[0].Exception.Message | Should -Match '100 MB'
        $process.Refresh()
        ($process.PeakWorkingSet64 - $before) / 1MB | Should -BeLessThan 600
    }

    It 'keeps a body under the cap' {
        (Invoke-ParallelWebRequest "$base/hop/0" -MaximumResponseSizeMB 1).Content | Should -Be 'arrived'
    }
}
