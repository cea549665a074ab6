# Timeouts of Invoke-ParallelJob as a user meets them: -ItemTimeoutSeconds stops one hung item and lets the
# others go on, -TimeoutSeconds bounds the whole run.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    . (Join-Path $PSScriptRoot 'helpers/TestHelpers.ps1')
}

Describe 'Invoke-ParallelJob timeouts' {
    Context '-ItemTimeoutSeconds stops a hung item and lets the others go on' {
        It 'stops an item in Start-Sleep 3600 and one in a tight loop, with ItemTimedOut errors that name them' {
            $output = 0..7 | Invoke-ParallelJob -ThrottleLimit 3 -ItemTimeoutSeconds 2 {
                if ($_ -eq 2) { Start-Sleep -Seconds 3600 }
                if ($_ -eq 5) { while ($true) { } }
                $_ * 10
            } -ErrorVariable failures 2>$null

            $output | Should -Be @(0, 10, 30, 40, 60, 70)
            $failures | Should -HaveCount 2
            $failures | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'ItemTimedOut*' }
            $failures | ForEach-Object { $_.ParallelJobItem | Should -BeOfType ([ParallelJobs.ParallelJobItem]) }
            $failures.ParallelJobItem.Index | Sort-Object | Should -Be @(2, 5)
            $failures.ParallelJobItem.Input | Sort-Object | Should -Be @(2, 5)
        }

        It 'stops a hung item among many small items that run in batches, and keeps every other result' {
            $output = 1..300 | Invoke-ParallelJob -ThrottleLimit 2 -ItemTimeoutSeconds 2 {
                if ($_ -eq 150) { while ($true) { } }
                $_
            } -ErrorVariable failures 2>$null

            $output | Should -Be @(1..300 | Where-Object { $_ -ne 150 })
            $failures | Should -HaveCount 1
            $failures[0].ParallelJobItem.Input | Should -Be 150
        }

        It 'gives the stopped items Status TimedOut with -AsResult, and the others Completed' {
            $results = 0..4 | Invoke-ParallelJob -ThrottleLimit 3 -ItemTimeoutSeconds 2 -AsResult {
                if ($_ -eq 1) { Start-Sleep -Seconds 3600 }
                if ($_ -eq 3) { while ($true) { } }
                "done $_"
            }

            $results.Index | Should -Be @(0, 1, 2, 3, 4)
            $results.Status | Should -Be @('Completed', 'TimedOut', 'Completed', 'TimedOut', 'Completed')
            $results[1].Errors[0].FullyQualifiedErrorId | Should -BeLike 'ItemTimedOut*'
            $results[3].Errors[0].FullyQualifiedErrorId | Should -BeLike 'ItemTimedOut*'
            $results[2].Output | Should -Be 'done 2'
            $results[1].Output | Should -HaveCount 0
        }
    }

    Context '-TimeoutSeconds bounds the whole run' {
        It 'throws RunTimedOut after writing the results that finished before it' {
            # Warm runspaces first, so the quick items finish long before the run's time is up.
            $null = 1..2 | Invoke-ParallelJob -ThrottleLimit 2 { $_ }

            $run = Invoke-Capture {
                1..20 | Invoke-ParallelJob -ThrottleLimit 2 -TimeoutSeconds 4 {
                    if ($_ -gt 3) { Start-Sleep -Seconds 3600 }
                    $_
                }
            }

            $run.Error | Should -Not -BeNullOrEmpty
            $run.Error.FullyQualifiedErrorId | Should -BeLike 'RunTimedOut*'
            $run.Error.Exception.Message | Should -BeLike '*3 items finished*'
            $run.Output | Should -Be @(1, 2, 3)
        }

        It 'throws RunTimedOut when the time runs out while the input is still arriving' {
            $run = Invoke-Capture {
                & { 1; Start-Sleep -Seconds 3; 2; 3 } | Invoke-ParallelJob -TimeoutSeconds 1 { $_ }
            }

            $run.Error | Should -Not -BeNullOrEmpty -Because 'items 2 and 3 were never run, and the run must say so'
            $run.Error.FullyQualifiedErrorId | Should -BeLike 'RunTimedOut*'
            $run.Output | Should -Be 1
        }
    }
}
