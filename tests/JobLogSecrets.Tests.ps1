# The job log never holds a secret in recoverable form: no request body, header, argument or script text in the
# header, and no SecureString or PSCredential output. Each case greps the log file for the secret text.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    $ErrorActionPreference = 'Continue'
    . (Join-Path $PSScriptRoot 'WebTestServer.ps1')

    # Every form in which a secret could sit in the log: as text, and as a SecureString's UTF-16 bytes in hex
    # or base64 (how CliXml writes one where there is no DPAPI).
    function Assert-NoSecret([string] $Path, [string] $Secret) {
        $text = Get-Content -LiteralPath $Path -Raw
        $utf16 = [System.Text.Encoding]::Unicode.GetBytes($Secret)
        $hex = [System.BitConverter]::ToString($utf16).Replace('-', '')
        $text | Should -Not -BeNullOrEmpty
        $text | Should -Not -Match ([regex]::Escape($Secret))
        $text.ToUpperInvariant() | Should -Not -Match $hex
        $text | Should -Not -Match ([regex]::Escape([Convert]::ToBase64String($utf16)))
    }
}

Describe 'Job log secrets' {
    BeforeEach {
        $script:folder = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('n'))
        $null = New-Item -ItemType Directory -Path $folder
        $script:log = Join-Path $folder 'l.jsonl'
    }

    AfterEach {
        Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'keeps a web request body and headers out of the log' {
        $port = Get-ClosedPort
        $null = Invoke-ParallelWebRequest "http://127.0.0.1:$port/login" -Method POST -Body 'user=bob&password=SECRETBODY' `
            -Headers @{ Authorization = 'Bearer SECRETHEADER' } -ContentType 'application/x-www-form-urlencoded' -LogPath $log -ErrorAction SilentlyContinue 2>$null
        Assert-NoSecret $log 'SECRETBODY'
        Assert-NoSecret $log 'SECRETHEADER'
        $header = Get-Content -LiteralPath $log -TotalCount 1 | ConvertFrom-Json
        $header.signature | Should -Match '^pbkdf2:[0-9a-f]{64}$'
        $header.salt | Should -Match '^[0-9a-f]{32}$'
    }

    It 'keeps the script text, its arguments and the input out of the log, and still resumes' {
        $script = { param($a) $null = 'SECRETSCRIPT'; "done $($_.Name)" }
        $items = @(@{ Name = 'a'; Password = 'SECRETINPUT' }, @{ Name = 'b'; Password = 'SECRETINPUT' })
        $first = $items | Invoke-ParallelJob -ArgumentList 'SECRETARG' -LogPath $log $script
        $first | Should -Be 'done a', 'done b'
        'SECRETSCRIPT', 'SECRETARG', 'SECRETINPUT' | ForEach-Object { Assert-NoSecret $log $_ }

        # The same job resumes from its own log: the keyed input fingerprints match.
        $again = $items | Invoke-ParallelJob -ArgumentList 'SECRETARG' -LogPath $log -Resume $script
        $again | Should -Be $first
        (Get-Content -LiteralPath $log).Count | Should -Be 3

        # Another input under the same keys is still detected.
        $other = @(@{ Name = 'a'; Password = 'OTHER' }, @{ Name = 'b'; Password = 'SECRETINPUT' })
        { $other | Invoke-ParallelJob -ArgumentList 'SECRETARG' -LogPath $log -Resume $script -ErrorAction Stop } |
            Should -Throw -ErrorId 'LogInputMismatch*'
    }

    It 'does not log SecureString output; the item is NotLoggable and runs again on -Resume' {
        $script = {
            $null = New-Item -ItemType File -Path (Join-Path $using:folder "ran.$_.$([guid]::NewGuid().ToString('n'))")
            ConvertTo-SecureString "SECRETPW$_" -AsPlainText -Force
        }
        $out = 1..2 | Invoke-ParallelJob -LogPath $log $script
        $out | ForEach-Object { $_ | Should -BeOfType [securestring] }
        Assert-NoSecret $log 'SECRETPW1'
        Assert-NoSecret $log 'SECRETPW2'
        $items = Get-Content -LiteralPath $log | Select-Object -Skip 1 | ConvertFrom-Json
        $items.status | Should -Be 'NotLoggable', 'NotLoggable'
        $items | ForEach-Object { $_.output | Should -BeNullOrEmpty }

        $again = 1..2 | Invoke-ParallelJob -LogPath $log -Resume $script
        $again | ForEach-Object { $_ | Should -BeOfType [securestring] }
        @(Get-ChildItem -LiteralPath $folder -Filter 'ran.*').Count | Should -Be 4
        Assert-NoSecret $log 'SECRETPW1'
    }

    It 'does not log a PSCredential held by a property or a hashtable; other items are logged' {
        $script = {
            if ($_ -eq 1) { [pscustomobject]@{ Name = 'x'; Cred = [pscredential]::new('bob', (ConvertTo-SecureString 'SECRETCRED' -AsPlainText -Force)) } }
            elseif ($_ -eq 2) { @{ Token = (ConvertTo-SecureString 'SECRETTABLE' -AsPlainText -Force) } }
            else { "plain $_" }
        }
        $null = 1..3 | Invoke-ParallelJob -LogPath $log $script
        Assert-NoSecret $log 'SECRETCRED'
        Assert-NoSecret $log 'SECRETTABLE'
        $items = Get-Content -LiteralPath $log | Select-Object -Skip 1 | ConvertFrom-Json | Sort-Object index
        $items.status | Should -Be 'NotLoggable', 'NotLoggable', 'Completed'
        $items[2].output | Should -Match 'plain 3'
    }
}
