# -Sequential: items run one at a time in the caller's session, so Pester mocks apply to them.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    . (Join-Path $PSScriptRoot 'helpers/TestHelpers.ps1')
}

Describe 'Invoke-ParallelJob -Sequential' {
    Context '-Sequential runs in the caller''s session' {
        BeforeAll {
            function Get-RemoteValue { param($Name) "real $Name" }
        }

        It 'lets a Pester Mock of a called function apply to every item' {
            Mock Get-RemoteValue { "mocked $Name" }

            $output = 'a', 'b', 'c' | Invoke-ParallelJob -Sequential { Get-RemoteValue -Name $_ }

            $output | Should -Be @('mocked a', 'mocked b', 'mocked c')
            Should -Invoke Get-RemoteValue -Times 3 -Exactly
            Should -Invoke Get-RemoteValue -Times 1 -Exactly -ParameterFilter { $Name -eq 'b' }
        }

        It 'keeps input order and writes result objects with -AsResult' {
            Mock Get-RemoteValue { if ($Name -eq 2) { throw 'mocked failure' }; "mocked $Name" }

            $results = 1..4 | Invoke-ParallelJob -Sequential -AsResult { Get-RemoteValue -Name $_ }

            $results.Index | Should -Be @(0, 1, 2, 3)
            $results.Status | Should -Be @('Completed', 'Failed', 'Completed', 'Completed')
            $results[1].Errors[0].Exception.Message | Should -Be 'mocked failure'
            $results[3].Output | Should -Be 'mocked 4'
        }

        It 'retries a failed item' {
            $attempts = @{}
            $results = 'a', 'b' | Invoke-ParallelJob -Sequential -RetryCount 2 -RetryDelay 0.05 -AsResult {
                $attempts[$_] = 1 + [int]$attempts[$_]
                if ($_ -eq 'b' -and $attempts[$_] -lt 3) { throw "attempt $($attempts[$_])" }
                "$_ after $($attempts[$_])"
            }

            $results.Status | Should -Be @('Completed', 'Completed')
            $results.Attempts | Should -Be @(1, 3)
            $results.Output | Should -Be @('a after 1', 'b after 3')
        }

        It 'throws RunTimedOut when -TimeoutSeconds runs out, after the items that finished' {
            $run = Invoke-Capture {
                1..50 | Invoke-ParallelJob -Sequential -TimeoutSeconds 1 { Start-Sleep -Milliseconds 100; $_ }
            }

            $run.Error | Should -Not -BeNullOrEmpty -Because 'a run cut short by -TimeoutSeconds must say so'
            $run.Error.FullyQualifiedErrorId | Should -BeLike 'RunTimedOut*'
            $run.Output.Count | Should -BeLessThan 50
            $run.Output | Should -Be @(1..50 | Select-Object -First $run.Output.Count)
        }

        It 'does not silently ignore -ItemTimeoutSeconds' {
            # The item sleeps 5 s (not 3600, so a regression cannot hang the suite) against a 1 s limit.
            # Either it is stopped as in a parallel run, or the combination is refused before anything runs.
            $folder = New-TestFolder
            $run = Invoke-Capture {
                1..3 | Invoke-ParallelJob -Sequential -ItemTimeoutSeconds 1 -AsResult {
                    $null = New-Item -ItemType File -Path (Join-Path $using:folder "$_.$([guid]::NewGuid().ToString('n'))")
                    if ($_ -eq 2) { Start-Sleep -Seconds 5 }
                    $_
                }
            }

            if ($run.Error) {
                "$($run.Error)" | Should -BeLike '*ItemTimeoutSeconds*'
                @(Get-RanName $folder) | Should -HaveCount 0
            }
            else {
                $run.Output.Status | Should -Be @('Completed', 'TimedOut', 'Completed')
            }
        }

        It 'refuses -AsJob with SequentialConflict' {
            { 1..2 | Invoke-ParallelJob -Sequential -AsJob { $_ } } | Should -Throw -ErrorId 'SequentialConflict,*'
        }
    }
}
