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

        It 'writes nothing with $ProgressPreference = SilentlyContinue' {
            $run = Invoke-WithProgress -Preference SilentlyContinue

            $run.Errors | Should -HaveCount 0
            $run.Output | Should -Be (1..8)
            $run.Progress | Should -HaveCount 0
        }
    }
}
