# Stopping at failures: -MaxFailures (a count or a percentage) stops starting new items, and -ErrorAction Stop
# with -AsResult stops at the first failed item.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    . (Join-Path $PSScriptRoot 'helpers/TestHelpers.ps1')
}

Describe 'Invoke-ParallelJob failure limits' {
    Context '-MaxFailures stops starting new items' {
        It 'stops after 3 failures, lets running items finish, and throws MaxFailuresExceeded with the counts' {
            $folder = New-TestFolder
            $run = Invoke-Capture {
                1..40 | Invoke-ParallelJob -ThrottleLimit 2 -MaxFailures 3 {
                    $null = New-Item -ItemType File -Path (Join-Path $using:folder "start$_.$([guid]::NewGuid().ToString('n'))")
                    Start-Sleep -Milliseconds 50
                    $null = New-Item -ItemType File -Path (Join-Path $using:folder "end$_.$([guid]::NewGuid().ToString('n'))")
                    if ($_ % 2) { throw "odd item $_" }
                    $_
                } 2>$null
            }

            $run.Error.FullyQualifiedErrorId | Should -BeLike 'MaxFailuresExceeded*'
            $run.Error.Exception.Message | Should -Match '-MaxFailures 3'
            # Items already running when the limit was hit may fail too, so the total is at least 3.
            $run.Error.Exception.Message -match '(?<n>\d+) of \d+ finished items failed' | Should -BeTrue
            [int]$Matches.n | Should -BeGreaterOrEqual 3
            $run.Error.Exception.Message | Should -Match '\d+ items were not started'
            $started = @(Get-RanName $folder | Where-Object { $_ -like 'start*' })
            $ended = @(Get-RanName $folder | Where-Object { $_ -like 'end*' })
            $started.Count | Should -BeLessThan 40
            $started.Count | Should -BeGreaterOrEqual 5
            $ended.Count | Should -Be $started.Count
            # The even items that ran wrote their output before the error.
            $run.Output | Should -Be @($started -replace 'start' | ForEach-Object { [int]$_ } | Where-Object { $_ % 2 -eq 0 } | Sort-Object)
        }

        It 'accepts a percentage, judged once ten items have finished' {
            $folder = New-TestFolder
            $run = Invoke-Capture {
                1..60 | Invoke-ParallelJob -ThrottleLimit 2 -MaxFailures 20% -AsResult {
                    $null = New-Item -ItemType File -Path (Join-Path $using:folder "$_.$([guid]::NewGuid().ToString('n'))")
                    Start-Sleep -Milliseconds 30
                    if ($_ % 3 -eq 0) { throw "third item $_" }
                }
            }

            $run.Error.FullyQualifiedErrorId | Should -BeLike 'MaxFailuresExceeded*'
            $run.Error.Exception.Message | Should -BeLike '*-MaxFailures 20%*'
            $ran = @(Get-RanName $folder)
            $ran.Count | Should -BeGreaterOrEqual 10
            $ran.Count | Should -BeLessThan 60
            $run.Output | Should -HaveCount 60
            @($run.Output | Where-Object Status -eq Skipped).Count | Should -Be (60 - $ran.Count)
            @($run.Output | Where-Object Status -eq Skipped | Where-Object Attempts -ne 0) | Should -HaveCount 0
        }
    }

    Context '-ErrorAction Stop with -AsResult' {
        It 'throws StoppedAtFirstFailure, after the results of the items before it' {
            $folder = New-TestFolder
            $run = Invoke-Capture {
                1..10 | Invoke-ParallelJob -ThrottleLimit 1 -AsResult -ErrorAction Stop {
                    $null = New-Item -ItemType File -Path (Join-Path $using:folder "$_.$([guid]::NewGuid().ToString('n'))")
                    Start-Sleep -Milliseconds 50
                    if ($_ -eq 3) { throw 'item 3 is bad' }
                    $_
                }
            }

            $run.Error.FullyQualifiedErrorId | Should -BeLike 'StoppedAtFirstFailure*'
            $run.Output[0..2].Status | Should -Be @('Completed', 'Completed', 'Failed')
            $run.Output[2].Errors[0].Exception.Message | Should -Be 'item 3 is bad'
            Get-RanName $folder | Should -Be @('1', '2', '3')
            $run.Output | Select-Object -Skip 3 | ForEach-Object { $_.Status | Should -Be 'Skipped' }
        }
    }
}
