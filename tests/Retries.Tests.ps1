# -RetryCount and -RetryDelay: a failed (or timed-out) item runs again, each attempt in a clean scope.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    . (Join-Path $PSScriptRoot 'helpers/TestHelpers.ps1')
}

Describe 'Invoke-ParallelJob retries' {
    Context '-RetryCount and -RetryDelay run a failed item again' {
        BeforeAll {
            # Fails on its first two attempts and succeeds on the third; attempts are counted per item.
            $flaky = {
                $null = New-Item -ItemType File -Path (Join-Path $using:folder "$_.$([guid]::NewGuid().ToString('n'))")
                $attempt = @(Get-ChildItem -LiteralPath $using:folder -File -Filter "$_.*").Count
                if ($_ % 2 -eq 0 -and $attempt -le 2) { throw "attempt $attempt of item $_ failed" }
                "item $_ ok after $attempt"
            }
        }

        It 'succeeds on the third attempt with -RetryCount 2, and -AsResult records 3 attempts' {
            $folder = New-TestFolder
            $results = 1..4 | Invoke-ParallelJob -ThrottleLimit 2 -RetryCount 2 -RetryDelay 0.05 -AsResult $flaky

            $results.Status | Should -Be @('Completed', 'Completed', 'Completed', 'Completed')
            $results.Attempts | Should -Be @(1, 3, 1, 3)
            $results.Output | Should -Be @('item 1 ok after 1', 'item 2 ok after 3', 'item 3 ok after 1', 'item 4 ok after 3')
            $results | ForEach-Object { $_.Errors | Should -HaveCount 0 }
            Get-RunCount $folder 2 | Should -Be 3
            Get-RunCount $folder 3 | Should -Be 1
        }

        It 'writes only the successful output, and no error, without -AsResult' {
            $folder = New-TestFolder
            $output = 1..4 | Invoke-ParallelJob -ThrottleLimit 2 -RetryCount 2 -RetryDelay 0.05 $flaky -ErrorVariable failures

            $output | Should -Be @('item 1 ok after 1', 'item 2 ok after 3', 'item 3 ok after 1', 'item 4 ok after 3')
            $failures | Should -HaveCount 0
        }

        It 'fails after 2 attempts with -RetryCount 1' {
            $folder = New-TestFolder
            $results = 1..4 | Invoke-ParallelJob -ThrottleLimit 2 -RetryCount 1 -RetryDelay 0.05 -AsResult $flaky

            $results.Status | Should -Be @('Completed', 'Failed', 'Completed', 'Failed')
            $results.Attempts | Should -Be @(1, 2, 1, 2)
            $results[1].Errors[-1].Exception.Message | Should -BeLike '*attempt 2 of item 2 failed*'
            Get-RunCount $folder 2 | Should -Be 2
        }

        It 'retries an item that timed out' {
            $folder = New-TestFolder
            $results = 1..3 | Invoke-ParallelJob -ThrottleLimit 3 -ItemTimeoutSeconds 2 -RetryCount 1 -RetryDelay 0.05 -AsResult {
                $null = New-Item -ItemType File -Path (Join-Path $using:folder "$_.$([guid]::NewGuid().ToString('n'))")
                $attempt = @(Get-ChildItem -LiteralPath $using:folder -File -Filter "$_.*").Count
                if ($_ -eq 2 -and $attempt -eq 1) { Start-Sleep -Seconds 3600 }
                "item $_ attempt $attempt"
            }

            $results.Status | Should -Be @('Completed', 'Completed', 'Completed')
            $results[1].Attempts | Should -Be 2
            $results[1].Output | Should -Be 'item 2 attempt 2'
        }

        It 'starts each attempt in a clean scope' {
            $folder = New-TestFolder
            $results = 1..2 | Invoke-ParallelJob -ThrottleLimit 1 -RetryCount 1 -RetryDelay 0.05 -AsResult {
                $null = New-Item -ItemType File -Path (Join-Path $using:folder "$_.$([guid]::NewGuid().ToString('n'))")
                $attempt = @(Get-ChildItem -LiteralPath $using:folder -File -Filter "$_.*").Count
                "seen: [$leftover]"
                $leftover = "set by attempt $attempt"
                if ($attempt -eq 1) { throw 'first attempt fails' }
            }

            $results.Attempts | Should -Be @(2, 2)
            $results.Status | Should -Be @('Completed', 'Completed')
            $results[0].Output | Should -Be 'seen: []'
            $results[1].Output | Should -Be 'seen: []'
        }

        It 'announces each retry on the verbose stream' {
            $folder = New-TestFolder
            $records = 1..2 | Invoke-ParallelJob -ThrottleLimit 2 -RetryCount 2 -RetryDelay 0.05 $flaky -Verbose 4>&1
            $verbose = @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })

            $verbose | Should -HaveCount 2
            $verbose | ForEach-Object { $_.Message | Should -BeLike '*retrying*' }
            $verbose[0].Message | Should -BeLike '*attempt 1 of 3*'
            ($records | Where-Object { $_ -is [string] }) | Should -Be @('item 1 ok after 1', 'item 2 ok after 3')
        }
    }
}
