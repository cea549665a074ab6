# -AsJob: a ParallelJob that Get-Job lists, Receive-Job reads and Stop-Job stops.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    . (Join-Path $PSScriptRoot 'helpers/TestHelpers.ps1')
}

Describe 'Invoke-ParallelJob -AsJob' {
    Context '-AsJob' {
        AfterEach {
            Get-Job | Where-Object PSJobTypeName -eq 'ParallelJob' | Remove-Job -Force
        }

        It 'returns a ParallelJob that Get-Job lists and Receive-Job reads in input order' {
            $job = 1..12 | Invoke-ParallelJob -AsJob -ThrottleLimit 4 -JobName robust-job {
                Start-Sleep -Milliseconds (Get-Random -Minimum 10 -Maximum 120)
                $_ * 2
            }

            $job.PSJobTypeName | Should -Be 'ParallelJob'
            (Get-Job -Id $job.Id).Name | Should -Be 'robust-job'
            $null = $job | Wait-Job -Timeout 120
            $job.State | Should -Be 'Completed'
            $job | Receive-Job | Should -Be (1..12 | ForEach-Object { $_ * 2 })
        }

        It 'ends Failed with the MaxFailuresExceeded error when the failure limit is reached' {
            $job = 1..20 | Invoke-ParallelJob -AsJob -ThrottleLimit 2 -MaxFailures 2 {
                Start-Sleep -Milliseconds 30
                if ($_ % 2) { throw "odd item $_" }
                $_
            }
            $null = $job | Wait-Job -Timeout 120

            $job.State | Should -Be 'Failed'
            $job.Error[-1].FullyQualifiedErrorId | Should -BeLike 'MaxFailuresExceeded*'
            $received = @($job | Receive-Job -ErrorAction SilentlyContinue -ErrorVariable jobErrors)
            $received.Count | Should -BeLessThan 10
            $received | Should -Be @(2, 4, 6, 8, 10, 12, 14, 16, 18, 20 | Select-Object -First $received.Count)
            @($jobErrors | Where-Object { $_.FullyQualifiedErrorId -like 'MaxFailuresExceeded*' }) | Should -HaveCount 1
        }

        It 'stops every running item with Stop-Job, and leaves no runspace after Clear-ParallelJobPool' {
            $folder = New-TestFolder
            $job = 1..10 | Invoke-ParallelJob -AsJob -ThrottleLimit 10 {
                $null = New-Item -ItemType File -Path (Join-Path $using:folder "$_.$([guid]::NewGuid().ToString('n'))")
                Start-Sleep -Seconds 3600
            }

            # Wait (bounded) until every item is in Start-Sleep.
            $deadline = (Get-Date).AddSeconds(120)
            while (@(Get-RanName $folder).Count -lt 10 -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
            @(Get-RanName $folder).Count | Should -Be 10
            $job.State | Should -Be 'Running'

            $job | Stop-Job
            $job.State | Should -Be 'Stopped'

            Clear-ParallelJobPool
            @(Get-Runspace | Where-Object Name -like 'ParallelJobs*') | Should -HaveCount 0
        }
    }
}
