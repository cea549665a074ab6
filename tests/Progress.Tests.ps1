# Progress: an overall record for the run, with the items' own records under it.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
}

Describe 'Invoke-ParallelJob progress' {
    Context 'Progress' {
        BeforeAll {
            function Invoke-WithProgress {
                param([string] $Preference)
                $ps = [powershell]::Create()
                try {
                    $null = $ps.AddScript(@"
Import-Module '$($env:PARALLELJOBS_MODULE)'
`$ProgressPreference = '$Preference'
1..8 | Invoke-ParallelJob -ThrottleLimit 2 {
    Start-Sleep -Milliseconds 300
    Write-Progress -Activity 'inner work' -Status "item `$_"
    `$_
}
"@)
                    $output = $ps.Invoke()
                    [pscustomobject]@{
                        Output   = @($output)
                        Progress = @($ps.Streams.Progress)
                        Errors   = @($ps.Streams.Error)
                    }
                }
                finally {
                    $ps.Dispose()
                }
            }
        }

        It 'writes an overall record and shows items'' own records under it' {
            $run = Invoke-WithProgress -Preference Continue

            $run.Errors | Should -HaveCount 0
            $run.Output | Should -Be (1..8)
            $overall = @($run.Progress | Where-Object Activity -eq 'Invoke-ParallelJob')
            $overall | Should -Not -BeNullOrEmpty
            @($overall | Where-Object StatusDescription -match '\d+ of 8') | Should -Not -BeNullOrEmpty
            $overall[0].ParentActivityId | Should -Be -1
            $inner = @($run.Progress | Where-Object Activity -eq 'inner work')
            $inner | Should -Not -BeNullOrEmpty
            $inner | ForEach-Object { $_.ParentActivityId | Should -Be $overall[0].ActivityId }
        }

        It 'writes nothing with -ProgressAction SilentlyContinue' {
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript("Import-Module '$($env:PARALLELJOBS_MODULE)'; `$ProgressPreference = 'Continue'; 1..3 | Invoke-ParallelJob -ProgressAction SilentlyContinue { Start-Sleep -Milliseconds 400; `$_ }")
                $output = $ps.Invoke()
                @($output) | Should -Be (1..3)
                @($ps.Streams.Progress) | Should -HaveCount 0
            }
            finally {
                $ps.Dispose()
            }
        }

        It 'writes nothing with $ProgressPreference = SilentlyContinue' {
            $run = Invoke-WithProgress -Preference SilentlyContinue

            $run.Errors | Should -HaveCount 0
            $run.Output | Should -Be (1..8)
            $run.Progress | Should -HaveCount 0
        }
    }

    Context 'a live bar' {
        BeforeAll {
            # Runs $Script in a runspace of its own and returns its output and every progress record it wrote.
            function Get-RunProgress([string] $Script) {
                $ps = [powershell]::Create()
                try {
                    $null = $ps.AddScript("Import-Module '$($env:PARALLELJOBS_MODULE)'; `$ProgressPreference = 'Continue'; $Script")
                    $output = $ps.Invoke()
                    [pscustomobject]@{
                        Output   = @($output)
                        Progress = @($ps.Streams.Progress)
                        Errors   = @($ps.Streams.Error)
                    }
                }
                finally {
                    $ps.Dispose()
                }
            }

            $script:barId = 0x50A1
        }

        It 'shows the bar before any item completes, with the running count, and moves it on a timer' {
            $run = Get-RunProgress '1..4 | Invoke-ParallelJob { Start-Sleep -Seconds 3; $_ }'

            $run.Errors | Should -HaveCount 0
            $run.Output | Should -Be (1..4)
            $bar = @($run.Progress | Where-Object { $_.ActivityId -eq $barId -and $_.RecordType -eq 'Processing' })
            # "0 of 4 done": written while no item had completed (the old bar waited for the first completion).
            $early = @($bar | Where-Object StatusDescription -match '^0 of 4 done, 4 running, 0 failed')
            $early.Count | Should -BeGreaterOrEqual 3 -Because 'the pump wakes about twice a second for the bar while the items sleep 3 s'
            @($early.StatusDescription | Select-Object -Unique).Count | Should -BeGreaterThan 1 -Because 'the elapsed time in the status moves while no item completes'
            $early[0].PercentComplete | Should -Be 0
            # Items running over a second get records of their own under the bar, with their elapsed time.
            $slots = @($run.Progress | Where-Object { $_.ParentActivityId -eq $barId -and $_.StatusDescription -like 'running for *' })
            $slots | Should -Not -BeNullOrEmpty
            $slots[0].Activity | Should -Match '^\[[0-3]\] [1-4]$'
            @($slots.ActivityId | Select-Object -Unique).Count | Should -BeLessOrEqual 3
            # Everything shown is removed at the end.
            $last = $run.Progress[-1]
            $last.ActivityId | Should -Be $barId
            $last.RecordType | Should -Be 'Completed'
            foreach ($id in $slots.ActivityId | Select-Object -Unique) {
                @($run.Progress | Where-Object { $_.ActivityId -eq $id -and $_.RecordType -eq 'Completed' }) | Should -Not -BeNullOrEmpty
            }
        }

        It 'lowers the estimate while no item completes' {
            # Five finish at about 2 s; the next five run until about 4 s with "5 of 10 done" all along.
            $run = Get-RunProgress '1..10 | Invoke-ParallelJob -ThrottleLimit 5 { Start-Sleep -Seconds 2; $_ }'

            $run.Output | Should -Be (1..10)
            $between = @($run.Progress | Where-Object { $_.ActivityId -eq $barId -and $_.StatusDescription -match '^5 of 10 done, 5 running' })
            $between.Count | Should -BeGreaterOrEqual 2
            $left = @($between.SecondsRemaining)
            $left | ForEach-Object { $_ | Should -BeGreaterThan 0 }
            @($left | Select-Object -Unique).Count | Should -BeGreaterThan 1 -Because 'the estimate counts down between completions'
            $left[-1] | Should -BeLessThan $left[0]
            $left[0] | Should -BeLessOrEqual 3 -Because 'about 2 s are left when the first wave ends'
        }

        It 'says "so far" while input may still bring more' {
            $run = Get-RunProgress '& { 1; Start-Sleep -Milliseconds 700; 2 } | Invoke-ParallelJob { Start-Sleep -Seconds 1; $_ }'

            $run.Output | Should -Be 1, 2
            $bar = @($run.Progress | Where-Object ActivityId -eq $barId)
            @($bar | Where-Object StatusDescription -match '^0 done so far, [12] running') | Should -Not -BeNullOrEmpty
            @($bar | Where-Object StatusDescription -match ' of 2 done') | Should -Not -BeNullOrEmpty
        }

        It 'reports through the job with -AsJob, before the job ends' {
            $ProgressPreference = 'Continue'
            $job = 1..3 | Invoke-ParallelJob -AsJob { Start-Sleep -Seconds 2; $_ }
            try {
                $watch = [System.Diagnostics.Stopwatch]::StartNew()
                while ($job.Progress.Count -eq 0 -and $watch.Elapsed.TotalSeconds -lt 10) { Start-Sleep -Milliseconds 50 }
                $job.Progress.Count | Should -BeGreaterThan 0
                $job.Output.Count | Should -Be 0 -Because 'the bar is shown before the first item completes'
                $job.Progress[0].StatusDescription | Should -Match '^0 of 3 done, 3 running'
                $null = $job | Wait-Job -Timeout 30
                # Read before Receive-Job, which takes the records out of the job.
                @($job.Progress)[-1].RecordType | Should -Be 'Completed'
                $job | Receive-Job | Should -Be 1, 2, 3
            }
            finally {
                $job | Remove-Job -Force
            }
        }
    }
}
