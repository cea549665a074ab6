# Robustness features of Invoke-ParallelJob, as a user meets them: per-item and whole-run timeouts,
# retries, the failure limit, result objects, progress, background jobs, -Sequential, the job log
# with -Resume (including a real crash), and bad parameter values.
# Counters are marker files under TestDrive: one file per run of an item, so parallel items never
# write the same file.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force

    # Invoke-ParallelJob honours $ErrorActionPreference (Stop stops at the first failed item), and the
    # test runner sets it to Stop: these tests are about items that fail, so they run with the default.
    $ErrorActionPreference = 'Continue'

    # A fresh folder under TestDrive for one test's marker files.
    function New-TestFolder {
        $path = Join-Path $TestDrive ([guid]::NewGuid().ToString('n'))
        $null = New-Item -ItemType Directory -Path $path
        $path
    }

    # How many times the item named $Name left a marker in $Folder (markers are "<name>.<guid>").
    function Get-RunCount {
        param([string] $Folder, [string] $Name)
        @(Get-ChildItem -LiteralPath $Folder -File -Filter "$Name.*").Count
    }

    # The names of every item that left at least one marker in $Folder.
    function Get-RanName {
        param([string] $Folder)
        @(Get-ChildItem -LiteralPath $Folder -File | ForEach-Object { $_.Name.Split('.')[0] } | Sort-Object -Unique)
    }

    # Every line of a job log, parsed.
    function Read-JobLog {
        param([string] $Path)
        @(Get-Content -LiteralPath $Path | Where-Object { $_ } | ForEach-Object { $_ | ConvertFrom-Json })
    }

    # Runs $Script in a new pipeline and returns what it wrote, and the terminating error if it threw.
    function Invoke-Capture {
        param([scriptblock] $Script)
        $written = [System.Collections.Generic.List[object]]::new()
        $thrown = $null
        try {
            & $Script | ForEach-Object { $written.Add($_) }
        }
        catch {
            $thrown = $_
        }

        [pscustomobject]@{ Output = $written.ToArray(); Error = $thrown }
    }
}

Describe 'Invoke-ParallelJob robustness' {

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
            $failures | ForEach-Object { $_.TargetObject | Should -BeOfType ([ParallelJobs.ParallelJobItem]) }
            $failures.TargetObject.Index | Sort-Object | Should -Be @(2, 5)
            $failures.TargetObject.Input | Sort-Object | Should -Be @(2, 5)
        }

        It 'stops a hung item among many small items that run in batches, and keeps every other result' {
            $output = 1..300 | Invoke-ParallelJob -ThrottleLimit 2 -ItemTimeoutSeconds 2 {
                if ($_ -eq 150) { while ($true) { } }
                $_
            } -ErrorVariable failures 2>$null

            $output | Should -Be @(1..300 | Where-Object { $_ -ne 150 })
            $failures | Should -HaveCount 1
            $failures[0].TargetObject.Input | Should -Be 150
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
            $results[2].Errors[0].TargetObject.Index | Should -Be 2
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

    Context 'Job log (-LogPath) and -Resume' {
        BeforeAll {
            # The item script of these tests; its text is the log's identity, so it must stay the same.
            $counted = {
                $null = New-Item -ItemType File -Path (Join-Path $using:folder "$_.$([guid]::NewGuid().ToString('n'))")
                if (Test-Path -LiteralPath (Join-Path $using:folder "fail$_")) { throw "item $_ was told to fail" }
                "item $_"
                $_ * 2
            }
            $cleanOutput = 1..6 | ForEach-Object { "item $_"; $_ * 2 }
        }

        It 'writes a header line and one JSON line per finished item' {
            $folder = New-TestFolder
            $log = Join-Path $folder 'job.jsonl'
            $null = New-Item -ItemType File -Path (Join-Path $folder 'fail3')
            $output = 1..4 | Invoke-ParallelJob -ThrottleLimit 2 -LogPath $log $counted 2>$null

            $output | Should -Be @('item 1', 2, 'item 2', 4, 'item 4', 8)
            $lines = Read-JobLog $log
            $lines | Should -HaveCount 5
            $lines[0].type | Should -Be 'header'
            $lines[0].command | Should -Be 'Invoke-ParallelJob'
            $lines[0].signature | Should -Not -BeNullOrEmpty
            $items = @($lines | Select-Object -Skip 1 | Sort-Object index)
            $items.type | Should -Be @('item', 'item', 'item', 'item')
            $items.index | Should -Be @(0, 1, 2, 3)
            $items.key | Should -Be @('0', '1', '2', '3')
            $items.status | Should -Be @('Completed', 'Completed', 'Failed', 'Completed')
            $items.attempts | Should -Be @(1, 1, 1, 1)
            $items | ForEach-Object {
                [datetime]$_.start | Should -BeOfType ([datetime])
                $_.duration | Should -BeGreaterOrEqual 0
            }
            $items[2].error | Should -BeLike '*item 3 was told to fail*'
            $items[0].error | Should -BeNullOrEmpty
            $items[2].output | Should -BeNullOrEmpty
            [System.Management.Automation.PSSerializer]::Deserialize($items[1].output) | Should -Be @('item 2', 4)
        }

        It 'skips completed items on -Resume and writes the same output as a clean run' {
            $folder = New-TestFolder
            $log = Join-Path $folder 'job.jsonl'
            $null = 1..6 | Invoke-ParallelJob -ThrottleLimit 2 -LogPath $log $counted

            $resumed = 1..6 | Invoke-ParallelJob -ThrottleLimit 2 -LogPath $log -Resume $counted

            $resumed | Should -Be $cleanOutput
            1..6 | ForEach-Object { Get-RunCount $folder $_ | Should -Be 1 }
        }

        It 'writes results for the logged items with -AsResult, as a clean run would' {
            $folder = New-TestFolder
            $log = Join-Path $folder 'job.jsonl'
            $null = 1..3 | Invoke-ParallelJob -ThrottleLimit 2 -LogPath $log $counted

            $results = 1..6 | Invoke-ParallelJob -ThrottleLimit 2 -LogPath $log -Resume -AsResult $counted

            $results.Index | Should -Be (0..5)
            $results.Input | Should -Be (1..6)
            $results.Status | Should -Be @('Completed', 'Completed', 'Completed', 'Completed', 'Completed', 'Completed')
            $results.Attempts | Should -Be @(1, 1, 1, 1, 1, 1)
            $results.Output | Should -Be $cleanOutput
            1..6 | ForEach-Object { Get-RunCount $folder $_ | Should -Be 1 }
        }

        It 'logs failed items as Failed and runs them again on -Resume' {
            $folder = New-TestFolder
            $log = Join-Path $folder 'job.jsonl'
            $null = New-Item -ItemType File -Path (Join-Path $folder 'fail2'), (Join-Path $folder 'fail5')
            $null = 1..6 | Invoke-ParallelJob -ThrottleLimit 2 -LogPath $log $counted 2>$null
            (Read-JobLog $log | Where-Object status -eq Failed).key | Sort-Object | Should -Be @('1', '4')

            Remove-Item (Join-Path $folder 'fail*')
            $resumed = 1..6 | Invoke-ParallelJob -ThrottleLimit 2 -LogPath $log -Resume $counted

            $resumed | Should -Be $cleanOutput
            Get-RunCount $folder 2 | Should -Be 2
            Get-RunCount $folder 5 | Should -Be 2
            1, 3, 4, 6 | ForEach-Object { Get-RunCount $folder $_ | Should -Be 1 }
            $completed = @(Read-JobLog $log | Where-Object status -eq Completed)
            $completed.key | Sort-Object | Should -Be @('0', '1', '2', '3', '4', '5')
        }

        It 'uses -Key as the identity, so a resumed run may bring the items in another order' {
            $folder = New-TestFolder
            $log = Join-Path $folder 'job.jsonl'
            $make = { param($name) [pscustomobject]@{ Name = $name; Size = $name.Length } }
            $script = {
                $null = New-Item -ItemType File -Path (Join-Path $using:folder "$($_.Name).$([guid]::NewGuid().ToString('n'))")
                "$($_.Name):$($_.Size)"
            }
            $null = 'alpha', 'be', 'gam' | ForEach-Object { & $make $_ } | Invoke-ParallelJob -LogPath $log -Key { $_.Name } $script

            (Read-JobLog $log | Select-Object -Skip 1).key | Sort-Object | Should -Be @('alpha', 'be', 'gam')
            $resumed = 'gam', 'delta', 'alpha', 'be' | ForEach-Object { & $make $_ } |
                Invoke-ParallelJob -LogPath $log -Resume -Key { $_.Name } $script

            $resumed | Should -Be @('gam:3', 'delta:5', 'alpha:5', 'be:2')
            'alpha', 'be', 'gam', 'delta' | ForEach-Object { Get-RunCount $folder $_ | Should -Be 1 }
        }

        It 'refuses a log written for another script block with LogMismatch, unless -Force' {
            $folder = New-TestFolder
            $log = Join-Path $folder 'job.jsonl'
            $null = 1..3 | Invoke-ParallelJob -LogPath $log $counted

            { 1..3 | Invoke-ParallelJob -LogPath $log -Resume { $_ * 100 } } | Should -Throw -ErrorId 'LogMismatch,*'
            $forced = 1..3 | Invoke-ParallelJob -LogPath $log -Resume -Force { $_ * 100 }
            $forced | Should -Be @('item 1', 2, 'item 2', 4, 'item 3', 6)
        }

        It 'refuses an existing log without -Resume with LogExists, and starts a new log with -Force' {
            $folder = New-TestFolder
            $log = Join-Path $folder 'job.jsonl'
            $null = 1..3 | Invoke-ParallelJob -LogPath $log $counted

            { 1..3 | Invoke-ParallelJob -LogPath $log $counted } | Should -Throw -ErrorId 'LogExists,*'
            1..3 | ForEach-Object { Get-RunCount $folder $_ | Should -Be 1 }

            $output = 1..2 | Invoke-ParallelJob -LogPath $log -Force $counted
            $output | Should -Be @('item 1', 2, 'item 2', 4)
            $lines = Read-JobLog $log
            $lines | Should -HaveCount 3
            $lines[0].type | Should -Be 'header'
            Get-RunCount $folder 1 | Should -Be 2
        }

        It 'refuses a log with a garbage middle line with LogCorrupt, and runs nothing' {
            $folder = New-TestFolder
            $log = Join-Path $folder 'job.jsonl'
            $null = 1..4 | Invoke-ParallelJob -LogPath $log $counted
            $lines = Get-Content -LiteralPath $log
            $lines[2] = 'this is {not" json'
            Set-Content -LiteralPath $log -Value $lines

            { 1..5 | Invoke-ParallelJob -LogPath $log -Resume $counted } | Should -Throw -ErrorId 'LogCorrupt,*'
            Get-RunCount $folder 5 | Should -Be 0
            1..4 | ForEach-Object { Get-RunCount $folder $_ | Should -Be 1 }
        }

        It 'reads a log whose last line was cut off up to that line, with a warning' {
            $folder = New-TestFolder
            $log = Join-Path $folder 'job.jsonl'
            $null = 1..4 | Invoke-ParallelJob -ThrottleLimit 1 -LogPath $log $counted
            $text = [System.IO.File]::ReadAllText($log)
            $lastStart = $text.TrimEnd("`n").LastIndexOf("`n") + 1
            $cutKey = ($text.Substring($lastStart).Trim() | ConvertFrom-Json).key
            [System.IO.File]::WriteAllText($log, $text.Substring(0, $lastStart + 25))

            $resumed = 1..6 | Invoke-ParallelJob -ThrottleLimit 2 -LogPath $log -Resume $counted -WarningVariable warnings 3>$null

            $warnings | Should -HaveCount 1
            "$($warnings[0])" | Should -BeLike '*incomplete*'
            $resumed | Should -Be $cleanOutput
            $cutItem = [int]$cutKey + 1
            Get-RunCount $folder $cutItem | Should -Be 2
            1..6 | Where-Object { $_ -ne $cutItem } | ForEach-Object { Get-RunCount $folder $_ | Should -Be 1 }
            # The cut line was dropped: every line of the log reads again.
            $completed = @(Read-JobLog $log | Where-Object status -eq Completed)
            $completed.key | Sort-Object | Should -Be @('0', '1', '2', '3', '4', '5')
        }

        It 'refuses -Resume without -LogPath with ResumeWithoutLog' {
            $folder = New-TestFolder
            { 1..3 | Invoke-ParallelJob -Resume $counted } | Should -Throw -ErrorId 'ResumeWithoutLog,*'
            @(Get-RanName $folder) | Should -HaveCount 0
        }

        It 'gives KeyFailed to an item whose -Key throws, and runs and logs the others' {
            $folder = New-TestFolder
            $log = Join-Path $folder 'job.jsonl'
            $output = 1..4 | Invoke-ParallelJob -LogPath $log -Key { if ($_ -eq 3) { throw 'no key for 3' }; "k$_" } $counted -ErrorVariable failures 2>$null

            $output | Should -Be @('item 1', 2, 'item 2', 4, 'item 4', 8)
            $failures | Should -HaveCount 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'KeyFailed*'
            $failures[0].TargetObject.Index | Should -Be 2
            "$($failures[0])" | Should -BeLike '*no key for 3*'
            Get-RunCount $folder 3 | Should -Be 0
            (Read-JobLog $log | Select-Object -Skip 1).key | Sort-Object | Should -Be @('k1', 'k2', 'k4')
        }

        It 'gives DuplicateKey to an item whose key repeats an earlier one, and does not run it' {
            $folder = New-TestFolder
            $log = Join-Path $folder 'job.jsonl'
            $output = 1..5 | Invoke-ParallelJob -LogPath $log -Key { $_ % 3 } $counted -ErrorVariable failures 2>$null

            $output | Should -Be @('item 1', 2, 'item 2', 4, 'item 3', 6)
            $failures | Should -HaveCount 2
            $failures | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'DuplicateKey*' }
            $failures.TargetObject.Index | Should -Be @(3, 4)
            Get-RunCount $folder 4 | Should -Be 0
            Get-RunCount $folder 5 | Should -Be 0
            (Read-JobLog $log | Select-Object -Skip 1).key | Sort-Object | Should -Be @('0', '1', '2')
        }
    }

    Context 'Resume after the process running the job is killed' {
        BeforeAll {
            $repoRoot = Split-Path -Parent $PSScriptRoot
            # Items above 20 wait for a gate file, so the first run is always killed mid-job with 20 items logged.
            $itemText = @'
param($ran, $gate)
Start-Sleep -Milliseconds 100
if ($_ -gt 20) {
    $deadline = (Get-Date).AddSeconds(60)
    while (-not (Test-Path -LiteralPath $gate) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 50 }
}
# One file per run of an item: appends from four threads to one file can overwrite each other.
[System.IO.File]::WriteAllText((Join-Path $ran "$_.$([guid]::NewGuid().ToString('n'))"), '')
"item $_ squared $($_ * $_)"
'@
            $childScript = @'
param($Module, $ItemText, $LogPath, $Ran, $Gate, $PidFile)
Import-Module $Module
[System.IO.File]::WriteAllText($PidFile, "$PID")
$item = [scriptblock]::Create($ItemText)
$null = 1..40 | Invoke-ParallelJob -ThrottleLimit 4 -LogPath $LogPath -ArgumentList $Ran, $Gate $item
'@
            # The processes this test starts, for AfterAll to clean up.
            $started = @{ Process = $null; Pid = $null }
        }

        AfterAll {
            # Whatever happened, leave no process behind.
            if ($started.Pid) { Stop-Process -Id $started.Pid -Force -ErrorAction Ignore }
            if ($started.Process) {
                if (-not $started.Process.HasExited) { $started.Process.Kill($true) }
                $started.Process.Dispose()
            }
        }

        It 'completes every item exactly once across the killed run and the resumed one' {
            $folder = New-TestFolder
            $log = Join-Path $folder 'job.jsonl'
            $ran = (New-Item -ItemType Directory -Path (Join-Path $folder 'ran')).FullName
            $gate = Join-Path $folder 'gate'
            $pidFile = Join-Path $folder 'child.pid'
            $scriptFile = Join-Path $folder 'child.ps1'
            Set-Content -LiteralPath $scriptFile -Value $childScript

            $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
            $start.WorkingDirectory = $repoRoot
            $start.UseShellExecute = $false
            foreach ($argument in 'pwsh', '-NoProfile', '-NonInteractive', '-File', $scriptFile,
                '-Module', $env:PARALLELJOBS_MODULE, '-ItemText', $itemText, '-LogPath', $log,
                '-Ran', $ran, '-Gate', $gate, '-PidFile', $pidFile) {
                $start.ArgumentList.Add($argument)
            }
            $child = [System.Diagnostics.Process]::Start($start)
            $started.Process = $child

            # Wait (bounded) for the child to log about half of the items.
            $deadline = (Get-Date).AddSeconds(180)
            $logged = 0
            while ($logged -lt 20 -and -not $child.HasExited -and (Get-Date) -lt $deadline) {
                Start-Sleep -Milliseconds 100
                if (Test-Path -LiteralPath $log) {
                    $logged = @(Get-Content -LiteralPath $log | Where-Object { $_ -like '*"type":"item"*' }).Count
                }
            }
            $child.HasExited | Should -BeFalse -Because 'the child should still be running its items'
            $logged | Should -Be 20

            # The real pwsh process (under the dotnet tool shims) wrote its id; kill it as a crash would.
            $childPid = [int](Get-Content -LiteralPath $pidFile)
            $started.Pid = $childPid
            Stop-Process -Id $childPid -Force
            $child.WaitForExit(60000) | Should -BeTrue
            Get-Process -Id $childPid -ErrorAction Ignore | Should -BeNullOrEmpty
            $firstRun = @(Read-JobLog $log | Where-Object type -eq 'item')
            $firstRun | Should -HaveCount 20
            @(Get-ChildItem -LiteralPath $ran) | Should -HaveCount 20

            # Resume in this process with the same command, the gate now open.
            $null = New-Item -ItemType File -Path $gate
            $item = [scriptblock]::Create($itemText)
            $resumed = 1..40 | Invoke-ParallelJob -ThrottleLimit 4 -LogPath $log -Resume -ArgumentList $ran, $gate $item 3>$null

            $cleanRan = (New-Item -ItemType Directory -Path (Join-Path $folder 'clean-ran')).FullName
            $clean = 1..40 | Invoke-ParallelJob -ThrottleLimit 4 -ArgumentList $cleanRan, $gate $item
            $resumed | Should -HaveCount 40
            $resumed | Should -Be $clean

            $completed = @(Read-JobLog $log | Where-Object { $_.type -eq 'item' -and $_.status -eq 'Completed' })
            $completed | Should -HaveCount 40
            ($completed | Group-Object key | Where-Object Count -ne 1) | Should -BeNullOrEmpty
            $completed.key | ForEach-Object { [int]$_ } | Sort-Object | Should -Be (0..39)

            # Every item ran to the end exactly once: none logged by the first run ran again.
            $ranItems = @(Get-ChildItem -LiteralPath $ran | ForEach-Object { [int]($_.Name -split '\.')[0] } | Sort-Object)
            $ranItems | Should -Be (1..40)
        }
    }

    Context 'Bad parameter values' {
        BeforeAll {
            $marking = { $null = New-Item -ItemType File -Path (Join-Path $using:folder "$_.$([guid]::NewGuid().ToString('n'))"); $_ }
        }

        It 'refuses <Name> <Value> with <ErrorId> and runs nothing' -TestCases @(
            @{ Name = 'ItemTimeoutSeconds'; Value = 0; ErrorId = 'ParameterArgumentValidationError' }
            @{ Name = 'ItemTimeoutSeconds'; Value = -1; ErrorId = 'ParameterArgumentValidationError' }
            @{ Name = 'TimeoutSeconds'; Value = 0; ErrorId = 'ParameterArgumentValidationError' }
            @{ Name = 'RetryCount'; Value = -1; ErrorId = 'ParameterArgumentValidationError' }
            @{ Name = 'MaxFailures'; Value = '0'; ErrorId = 'InvalidMaxFailures' }
            @{ Name = 'MaxFailures'; Value = 'abc'; ErrorId = 'ParameterArgumentValidationError' }
            @{ Name = 'MaxFailures'; Value = '150%'; ErrorId = 'InvalidMaxFailures' }
        ) {
            $folder = New-TestFolder
            $parameters = @{ $Name = $Value }
            $thrown = { 1..3 | Invoke-ParallelJob @parameters $marking } | Should -Throw -ErrorId "$ErrorId,*" -PassThru

            $thrown.Exception.Message | Should -BeLike "*$Name*" -Because 'the message should name the parameter'
            @(Get-RanName $folder) | Should -HaveCount 0
        }
    }
}
