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
            # The run's terminating error is the Reason, as Start-ThreadJob's; Receive-Job writes it as JobStateFailed.
            $job.JobStateInfo.Reason.ErrorRecord.FullyQualifiedErrorId | Should -BeLike 'MaxFailuresExceeded*'
            $received = @($job | Receive-Job -ErrorAction SilentlyContinue -ErrorVariable jobErrors)
            $received.Count | Should -BeLessThan 10
            $received | Should -Be @(2, 4, 6, 8, 10, 12, 14, 16, 18, 20 | Select-Object -First $received.Count)
            @($jobErrors | Where-Object { $_.FullyQualifiedErrorId -eq 'JobStateFailed' -and $_.Exception.Message -like '*failure limit*' }) | Should -HaveCount 1
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

            # A worker that did not answer the stop within a second was given up on: its runspace closes as its
            # call returns, so the pool may still be clearing for a moment.
            Wait-Until { Clear-ParallelJobPool; @(Get-Runspace | Where-Object Name -like 'ParallelJobs*').Count -eq 0 } -TimeoutSeconds 15 | Should -BeTrue
        }
    }

    Context 'a Job2, as Start-ThreadJob''s jobs' {
        AfterEach {
            Get-Job | Where-Object PSJobTypeName -in 'ParallelJob', 'ThreadJob' | Remove-Job -Force
        }

        It 'is a Job2 whose Command is the script block''s text' {
            $thread = Start-ThreadJob { $_ * 2 }
            $job = 1..2 | Invoke-ParallelJob -AsJob { $_ * 2 }

            $job | Should -BeOfType ([System.Management.Automation.Job2])
            $thread | Should -BeOfType ([System.Management.Automation.Job2])
            $job.Command | Should -Be $thread.Command
            $job.Command | Should -Be ' $_ * 2 '
        }

        It 'ends Failed with the reason when an item throws, and keeps the item on its error' {
            $thread = Start-ThreadJob { 1; throw 'boom 2' }
            $job = 1..3 | Invoke-ParallelJob -AsJob { $_; if ($_ -eq 2) { throw "boom $_" } }
            $null = $thread, $job | Wait-Job -Timeout 60

            $thread.State | Should -Be 'Failed'
            $job.State | Should -Be 'Failed'
            $thread.JobStateInfo.Reason | Should -BeOfType ([System.Management.Automation.RuntimeException])
            $job.JobStateInfo.Reason | Should -BeOfType ([System.Management.Automation.RuntimeException])
            $job.JobStateInfo.Reason.Message | Should -BeLike '1 of 3 items failed*'

            $null = $thread | Receive-Job -ErrorAction SilentlyContinue -ErrorVariable threadErrors
            $received = $job | Receive-Job -ErrorAction SilentlyContinue -ErrorVariable jobErrors
            $received | Should -Be 1, 2, 3
            $threadErrors.FullyQualifiedErrorId | Should -Contain 'JobStateFailed'
            $jobErrors.FullyQualifiedErrorId | Should -Contain 'JobStateFailed'
            $itemError = $jobErrors | Where-Object { $_.Exception.Message -eq 'boom 2' }
            $itemError | Should -HaveCount 1
            $itemError.ParallelJobItem.Index | Should -Be 1
            $itemError.ParallelJobItem.Input | Should -Be 2
        }

        It 'stays Completed when items only write errors, as a Start-ThreadJob script that writes them' {
            $thread = Start-ThreadJob { Write-Error 'written'; 1 }
            $job = 1..2 | Invoke-ParallelJob -AsJob { Write-Error "written $_"; $_ }
            $null = $thread, $job | Wait-Job -Timeout 60

            $thread.State | Should -Be 'Completed'
            $job.State | Should -Be 'Completed'
            $job.JobStateInfo.Reason | Should -BeNullOrEmpty
            $job.Error | Should -HaveCount 2
            ($job.Error | ForEach-Object { $_.ParallelJobItem.Index }) | Should -Be 0, 1
            $job | Receive-Job -ErrorAction SilentlyContinue | Should -Be 1, 2
        }

        It 'honours -ErrorAction Stop: the first failing item stops the run and is the Reason' {
            $thread = Start-ThreadJob { 1; Write-Error 'stop here' -ErrorAction Stop; 2 }
            $job = 1..40 | Invoke-ParallelJob -AsJob -ErrorAction Stop -ThrottleLimit 2 {
                if ($_ -eq 5) { throw 'stop here' }
                Start-Sleep -Milliseconds 50
                $_
            }
            $null = $thread, $job | Wait-Job -Timeout 60

            $thread.State | Should -Be 'Failed'
            $job.State | Should -Be 'Failed'
            $job.JobStateInfo.Reason.ErrorRecord.Exception.Message | Should -Be 'stop here'
            $job.JobStateInfo.Reason.ErrorRecord.ParallelJobItem.Index | Should -Be 4
            # Nothing after the stopping error is written, as without -AsJob.
            $job | Receive-Job -ErrorAction SilentlyContinue | Should -Be 1, 2, 3, 4
        }

        It 'still returns its job when -ErrorAction Stop ends the run while input is read' {
            $elapsed = Measure-Command {
                $job = & { 1; 2; Start-Sleep -Seconds 1; 3..10 } | Invoke-ParallelJob -AsJob -ErrorAction Stop -ThrottleLimit 2 {
                    if ($_ -eq 1) { throw 'first' }
                    Start-Sleep -Seconds 60
                }
                $null = $job | Wait-Job -Timeout 30
            }

            # The other running item is stopped, not waited for (it sleeps 60 s).
            $elapsed.TotalSeconds | Should -BeLessThan 30
            $job.State | Should -Be 'Failed'
            $job.JobStateInfo.Reason.ErrorRecord.Exception.Message | Should -Be 'first'
            $job.JobStateInfo.Reason.ErrorRecord.ParallelJobItem.Index | Should -Be 0
        }

        It 'still returns its job when -MaxFailures ends the run while input is read' {
            $job = 1..1000 | Invoke-ParallelJob -AsJob -MaxFailures 1 -ThrottleLimit 2 { throw "failed $_" }
            $job | Should -BeOfType ([System.Management.Automation.Job2])
            $null = $job | Wait-Job -Timeout 60

            $job.State | Should -Be 'Failed'
            $job.JobStateInfo.Reason.ErrorRecord.FullyQualifiedErrorId | Should -BeLike 'MaxFailuresExceeded*'
        }

        It 'with -AsResult ends Failed when an item threw, the errors travelling in the results; Completed when items only wrote errors' {
            $job = 1..3 | Invoke-ParallelJob -AsJob -AsResult { if ($_ -eq 2) { throw 'x' }; $_ }
            $soft = 1..3 | Invoke-ParallelJob -AsJob -AsResult { if ($_ -eq 2) { Write-Error 'soft' }; $_ }
            $null = $job, $soft | Wait-Job -Timeout 60

            $job.State | Should -Be 'Failed'
            $job.JobStateInfo.Reason | Should -Not -BeNullOrEmpty
            $soft.State | Should -Be 'Completed'
            $results = $job | Receive-Job -ErrorAction SilentlyContinue
            $results.Status | Should -Be 'Completed', 'Failed', 'Completed'
        }

        It 'ends Failed with the RunTimedOut error as its Reason' {
            $job = 1..2 | Invoke-ParallelJob -AsJob -TimeoutSeconds 1 { Start-Sleep -Seconds 60 }
            $null = $job | Wait-Job -Timeout 30

            $job.State | Should -Be 'Failed'
            $job.JobStateInfo.Reason.ErrorRecord.FullyQualifiedErrorId | Should -BeLike 'RunTimedOut*'
        }

        It 'stops with StopJob(force, reason), as a ThreadJob does' {
            $thread = Start-ThreadJob { 'started'; Start-Sleep -Seconds 3600 }
            $job = 1..2 | Invoke-ParallelJob -AsJob { Start-Sleep -Seconds 3600 }
            # A ThreadJob stopped before its script runs ends Failed: wait (bounded) until it runs.
            $deadline = (Get-Date).AddSeconds(60)
            while ($thread.Output.Count -eq 0 -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 50 }

            $elapsed = Measure-Command {
                $thread.StopJob($true, 'test')
                $job.StopJob($true, 'test')
            }

            $elapsed.TotalSeconds | Should -BeLessThan 15
            $thread.State | Should -Be 'Stopped'
            $job.State | Should -Be 'Stopped'
            $job.JobStateInfo.Reason | Should -BeOfType ([System.Management.Automation.PipelineStoppedException])
        }

        It 'stops with StopJobAsync and raises StopJobCompleted, as a ThreadJob does' {
            $thread = Start-ThreadJob { 'started'; Start-Sleep -Seconds 3600 }
            $job = 1..2 | Invoke-ParallelJob -AsJob { Start-Sleep -Seconds 3600 }
            # A ThreadJob stopped before its script runs ends Failed: wait (bounded) until it runs.
            $deadline = (Get-Date).AddSeconds(60)
            while ($thread.Output.Count -eq 0 -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $null = Register-ObjectEvent -InputObject $thread -EventName StopJobCompleted -SourceIdentifier asjob.thread
            $null = Register-ObjectEvent -InputObject $job -EventName StopJobCompleted -SourceIdentifier asjob.parallel
            try {
                $thread.StopJobAsync()
                $job.StopJobAsync()
                $threadEvent = Wait-Event -SourceIdentifier asjob.thread -Timeout 30
                $jobEvent = Wait-Event -SourceIdentifier asjob.parallel -Timeout 30
            }
            finally {
                Unregister-Event -SourceIdentifier asjob.thread
                Unregister-Event -SourceIdentifier asjob.parallel
            }

            $threadEvent | Should -Not -BeNullOrEmpty
            $jobEvent | Should -Not -BeNullOrEmpty
            $jobEvent.SourceEventArgs.Error | Should -BeNullOrEmpty
            $thread.State | Should -Be 'Stopped'
            $job.State | Should -Be 'Stopped'
        }

        It 'refuses suspend, resume and unblock as a ThreadJob does' {
            $thread = Start-ThreadJob { 1 }
            $job = 1 | Invoke-ParallelJob -AsJob { 1 }
            foreach ($call in { param($j) $j.SuspendJob() }, { param($j) $j.ResumeJob() }, { param($j) $j.UnblockJob() }, { param($j) $j.SuspendJobAsync() }) {
                $threadError = try { & $call $thread } catch { $_.Exception.InnerException.GetType() }
                $jobError = try { & $call $job } catch { $_.Exception.InnerException.GetType() }
                $jobError | Should -Be $threadError
                $jobError | Should -Be ([NotImplementedException])
            }
        }

        It 'reports progress through the job: the items'' records and the run''s bar' {
            $thread = Start-ThreadJob { Write-Progress -Activity item -Status working -PercentComplete 50; 1 }
            $job = 1..4 | Invoke-ParallelJob -AsJob -ThrottleLimit 2 {
                Write-Progress -Activity item -Status working -PercentComplete 50
                Start-Sleep -Milliseconds 400
                $_
            }
            $null = $thread, $job | Wait-Job -Timeout 60

            @($thread.Progress | Where-Object Activity -eq 'item').Count | Should -BeGreaterThan 0
            @($job.Progress | Where-Object Activity -eq 'item').Count | Should -BeGreaterThan 0
            @($job.Progress | Where-Object Activity -eq 'Invoke-ParallelJob').Count | Should -BeGreaterThan 0
            $job.HasMoreData | Should -BeTrue
        }

        It 'works with Receive-Job -Wait -AutoRemoveJob, results in input order' {
            $thread = Start-ThreadJob { 1..3 }
            $threadResults = Receive-Job $thread -Wait -AutoRemoveJob
            $job = 1..20 | Invoke-ParallelJob -AsJob -ThrottleLimit 4 { Start-Sleep -Milliseconds (Get-Random -Maximum 60); $_ }
            $results = Receive-Job $job -Wait -AutoRemoveJob

            $threadResults | Should -Be 1, 2, 3
            $results | Should -Be (1..20)
            Get-Job -Id $thread.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Get-Job -Id $job.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }

        It 'is listed once by Get-Job and removed by Remove-Job -Force while running' {
            $job = 1..2 | Invoke-ParallelJob -AsJob -JobName once { Start-Sleep -Seconds 3600 }
            @(Get-Job -Name once) | Should -HaveCount 1
            (Get-Job -Id $job.Id).InstanceId | Should -Be $job.InstanceId

            $elapsed = Measure-Command { Remove-Job -Job $job -Force }
            $elapsed.TotalSeconds | Should -BeLessThan 15
            Get-Job -Name once -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $job.State | Should -Be 'Stopped'
        }
    }
}
