# -AsResult: one ParallelJobResult per item, in input order, with the item's errors in it.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    . (Join-Path $PSScriptRoot 'helpers/TestHelpers.ps1')
}

Describe 'Invoke-ParallelJob -AsResult' {
    Context '-AsResult writes one result object per item' {
        It 'writes results in input order with every property filled' {
            $before = Get-Date
            $results = 'a', 'b', 'c' | Invoke-ParallelJob -ThrottleLimit 3 -AsResult {
                if ($_ -eq 'a') { Start-Sleep -Milliseconds 300 }
                "$_ one"
                "$_ two"
                if ($_ -eq 'b') { Write-Error "soft error in $_" }
                if ($_ -eq 'c') { throw "hard error in $_" }
            }

            $results | Should -HaveCount 3
            $results | ForEach-Object { $_ | Should -BeOfType ([ParallelJobs.ParallelJobResult]) }
            $results.Index | Should -Be @(0, 1, 2)
            $results.Input | Should -Be @('a', 'b', 'c')
            $results[0].Output | Should -Be @('a one', 'a two')
            $results[1].Output | Should -Be @('b one', 'b two')
            $results[2].Output | Should -Be @('c one', 'c two')
            $results.Status | Should -Be @('Completed', 'Failed', 'Failed')
            $results[0].Errors | Should -HaveCount 0
            $results[1].Errors.Exception.Message | Should -Be 'soft error in b'
            $results[2].Errors.Exception.Message | Should -Be 'hard error in c'
            $results[2].Errors[0].ParallelJobItem.Index | Should -Be 2
            $results.Attempts | Should -Be @(1, 1, 1)
            $results | ForEach-Object {
                $_.StartTime | Should -BeOfType ([datetime])
                $_.StartTime | Should -BeGreaterOrEqual $before.AddSeconds(-1)
                $_.Duration | Should -BeOfType ([timespan])
            }
            $results[0].Duration.TotalMilliseconds | Should -BeGreaterOrEqual 250
        }

        It 'sends errors into the results, not to the error stream' {
            $all = 1..3 | Invoke-ParallelJob -AsResult { Write-Error "e$_"; throw "t$_" } -ErrorVariable failures 2>&1

            $all | Should -HaveCount 3
            $all | ForEach-Object { $_ | Should -BeOfType ([ParallelJobs.ParallelJobResult]) }
            $failures | Should -HaveCount 0
            $all[1].Errors.Exception.Message | Should -Be @('e2', 't2')
        }

        It 'marks items refused for a duplicate key as Skipped' {
            $log = Join-Path (New-TestFolder) 'job.jsonl'
            $results = 1, 2, 1 | Invoke-ParallelJob -LogPath $log -Key { "k$_" } -AsResult { $_ }

            $results.Status | Should -Be @('Completed', 'Completed', 'Skipped')
            $results[2].Attempts | Should -Be 0
            $results[2].Errors[0].FullyQualifiedErrorId | Should -BeLike 'DuplicateKey*'
        }

        It 'renders the default table view' {
            $text = 1..2 | Invoke-ParallelJob -AsResult { "out $_" } | Format-Table | Out-String

            foreach ($column in 'Index', 'Status', 'Attempts', 'Duration', 'Input', 'Output', 'Error') {
                $text | Should -Match "\b$column\b"
            }
            $text | Should -Match 'Completed'
            $text | Should -Match 'out 2'
        }
    }
}
