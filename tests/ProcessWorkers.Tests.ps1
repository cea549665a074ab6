# -UseProcess: each worker is a PowerShell process of its own. What works with runspaces works here, with
# output deserialized as Start-Job returns it. Process start-up is slow on a small machine, so the tests
# share a few warm worker processes (same configuration, -ThrottleLimit 2).

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    . (Join-Path $PSScriptRoot 'helpers/TestHelpers.ps1')
    $p = @{ UseProcess = $true; ThrottleLimit = 2 }
}

AfterAll {
    Clear-ParallelJobPool
}

Describe 'Invoke-ParallelJob -UseProcess' {
    Context 'where items run' {
        It 'runs items in processes other than this one, in the caller''s location, and writes them in input order' {
            $results = 1..12 | Invoke-ParallelJob @p { [pscustomobject]@{ N = $_; Pid = $PID; Where = (Get-Location).Path } }

            $results.N | Should -Be (1..12)
            $results.Pid | Should -Not -Contain $PID
            $results.Where | Sort-Object -Unique | Should -Be (Get-Location).Path
        }

        It 'writes every item once with -Unordered, as ForEach-Object -Parallel does' {
            $script = { Start-Sleep -Milliseconds (20 * ($_ % 3)); $_ * 2 }
            $expected = 1..10 | ForEach-Object -Parallel $script -ThrottleLimit 2

            $output = 1..10 | Invoke-ParallelJob @p -Unordered $script

            $output | Sort-Object | Should -Be ($expected | Sort-Object)
        }

        It 'batches quick items and still keeps every result apart' {
            $output = 1..500 | Invoke-ParallelJob @p { $_; if ($_ % 100 -eq 0) { "hundred $_" } }

            $output.Count | Should -Be 505
            $output[99] | Should -Be 100
            $output[100] | Should -Be 'hundred 100'
        }

        It 'returns output deserialized, as Start-Job does' {
            $file = New-Item -Path (Join-Path $TestDrive 'f.txt') -Value 'x' -Force
            $job = Start-Job { param($f) Get-Item -LiteralPath $f } -ArgumentList $file.FullName
            $expected = $job | Receive-Job -Wait -AutoRemoveJob

            $output = $file.FullName | Invoke-ParallelJob @p { Get-Item -LiteralPath $_ }

            $output.PSTypeNames[0] | Should -Be $expected.PSTypeNames[0]
            $output.PSTypeNames[0] | Should -Be 'Deserialized.System.IO.FileInfo'
            $output.Length | Should -Be 1
        }
    }

    Context 'what the items see' {
        It '$using:, -ArgumentList, -Variable and -Function reach the items as in ForEach-Object -Parallel' {
            $factor = 3
            function Get-PjTwice { param($x) 2 * $x }
            $offset = 100
            $expected = 1..4 | ForEach-Object -Parallel { $_ * $using:factor } -ThrottleLimit 2

            $output = 1..4 | Invoke-ParallelJob @p -ArgumentList 'arg' -Variable offset -Function Get-PjTwice {
                param($a)
                "$($_ * $using:factor) $a $offset $(Get-PjTwice $_)"
            }

            $output | Should -Be (0..3 | ForEach-Object { "$($expected[$_]) arg 100 $(2 * ($_ + 1))" })
        }

        It '-Module and -InitializationScript prepare each worker process once' {
            $module = Join-Path $TestDrive 'PjProcTools.psm1'
            Set-Content -Path $module -Value 'function Get-PjProcTools { "tools in $PID" }'

            $output = 1..4 | Invoke-ParallelJob @p -Module $module -InitializationScript { $global:ready = "init $PID" } {
                "$(Get-PjProcTools) $global:ready"
            }

            foreach ($line in $output) {
                $line -match '^tools in (\d+) init (\d+)$' | Should -BeTrue
                $Matches[1] | Should -Be $Matches[2]
                $Matches[1] | Should -Not -Be $PID
            }
        }

        It 'a call does not see the globals an earlier call left in a pooled process' {
            $null = 1..4 | Invoke-ParallelJob @p { $global:leftover = 'old'; $global:leftover }

            $output = 1..4 | Invoke-ParallelJob @p { "[$global:leftover]" }

            $output | Should -Be (1..4 | ForEach-Object { '[]' })
        }

        # Each case reports what the item before it left, then leaves something itself. One worker, so that every
        # item follows another in the same process; 40 items also go through the batches collected in the worker.
        It 'an item does not see what an earlier item of the same call left (<Name>), as with runspace workers' -ForEach @(
            @{ Name = 'a global variable'; Fep = $true; Script = { $before = "$global:leftItem"; $global:leftItem = $_; "[$before]" } }
            @{ Name = 'a script variable'; Fep = $true; Script = { $before = "$script:leftItem"; $script:leftItem = $_; "[$before]" } }
            @{ Name = 'a function'; Script = { $before = [bool](Get-Command leftFunction -ErrorAction Ignore); function global:leftFunction {}; $before } }
            @{ Name = 'an alias'; Script = { $before = [bool](Get-Alias leftAlias -ErrorAction Ignore); Set-Alias leftAlias Get-Date -Scope Global; $before } }
            @{ Name = 'a drive'; Script = { $before = [bool](Get-PSDrive leftDrive -ErrorAction Ignore); $null = New-PSDrive leftDrive FileSystem ([IO.Path]::GetTempPath()) -Scope Global; $before } }
            @{ Name = 'a module'; Script = { $before = [bool](Get-Module leftModule); New-Module leftModule { function Get-Left {} } | Import-Module -Global; $before } }
            @{ Name = 'the location'; Fep = $true; Script = { $before = (Get-Location).Path; Set-Location ([IO.Path]::GetTempPath()); $before } }
            @{ Name = 'a preference'; Fep = $true; Script = { $before = "$ErrorActionPreference"; $global:ErrorActionPreference = 'Stop'; $before } }
            @{ Name = 'an $Error entry'; Fep = $true; Script = { $before = $Error.Count; Write-Error 'left' -ErrorAction SilentlyContinue; $before } }
        ) {
            $inRunspaces = 1..40 | Invoke-ParallelJob -ThrottleLimit 1 $Script
            $inRunspaces | Select-Object -Unique | Should -HaveCount 1 -Because 'runspace workers give each item a clean start'
            if ($Fep) {
                # ForEach-Object -Parallel resets these too (not functions, aliases, drives or modules: there we do better).
                (1..40 | ForEach-Object -Parallel $Script -ThrottleLimit 1 2>$null | ForEach-Object { "$_" }) | Should -Be ($inRunspaces | ForEach-Object { "$_" })
            }

            $inProcess = 1..40 | Invoke-ParallelJob -UseProcess -ThrottleLimit 1 $Script
            ($inProcess | ForEach-Object { "$_" }) | Should -Be ($inRunspaces | ForEach-Object { "$_" })

            # And the next call in the same pooled process starts clean too.
            $next = 1..3 | Invoke-ParallelJob -UseProcess -ThrottleLimit 1 $Script
            ($next | ForEach-Object { "$_" }) | Should -Be ($inRunspaces[0..2] | ForEach-Object { "$_" })
        }
    }

    Context 'streams and failures' {
        It 'charges errors, warnings and information to their item' {
            $output = 1..4 | Invoke-ParallelJob @p {
                if ($_ -eq 3) { Write-Warning "warned $_"; Write-Information "informed $_"; Write-Error "failed $_" }
                $_
            } -WarningVariable warnings -ErrorVariable errors -InformationVariable information 2>$null 3>$null 6>$null

            $output | Should -Be (1..4)
            $errors.Count | Should -Be 1
            $errors[0].ParallelJobItem.Index | Should -Be 2
            "$($errors[0])" | Should -Be 'Item [2] 3: failed 3'
            $warnings.Message | Should -Be 'warned 3'
            $information.MessageData | Should -Be 'informed 3'
        }

        It 'a thrown error fails its item only, as in ForEach-Object -Parallel' {
            $script = { if ($_ -eq 2) { throw "bad $_" }; $_ }
            $expected = 1..4 | ForEach-Object -Parallel $script -ThrottleLimit 2 -ErrorVariable feErrors 2>$null

            $output = 1..4 | Invoke-ParallelJob @p $script -ErrorVariable errors 2>$null

            $output | Should -Be $expected
            $errors.Count | Should -Be $feErrors.Count
            $errors[0].Exception.Message | Should -Be 'bad 2'
            $errors[0].ParallelJobItem.Input | Should -Be 2
        }

        It '-RetryCount runs a failed item again' {
            $folder = New-TestFolder
            $results = 1..3 | Invoke-ParallelJob @p -RetryCount 2 -RetryDelay 0 -AsResult {
                $null = New-Item -Path (Join-Path $using:folder "$_.$([guid]::NewGuid())")
                if ($_ -eq 2 -and @(Get-ChildItem -LiteralPath $using:folder -Filter '2.*').Count -lt 2) { throw 'first time' }
                $_
            }

            $results.Status | Should -Be @('Completed', 'Completed', 'Completed')
            $results[1].Attempts | Should -Be 2
            $results.Output | Should -Be (1..3)
        }

        It 'a -Variable a worker cannot define ends the run before any item, as with runspace workers, and the processes serve the next call' {
            # $PID is read-only: the run's setup (sent with each worker's first batch) fails there.
            $local = Invoke-Capture { 1..3 | Invoke-ParallelJob -ThrottleLimit 2 -Variable @{ PID = 5 } { "ran $_" } }

            $remote = Invoke-Capture { 1..3 | Invoke-ParallelJob @p -Variable @{ PID = 5 } { "ran $_" } }
            $next = 1..3 | Invoke-ParallelJob @p { "ran $_" }

            $remote.Error.FullyQualifiedErrorId | Should -Be $local.Error.FullyQualifiedErrorId
            $remote.Error.Exception.Message | Should -BeLike '*could not be defined in a worker process*PID*'
            $remote.Output | Should -BeNullOrEmpty
            $next | Should -Be @('ran 1', 'ran 2', 'ran 3')
        }

        It '-MaxFailures ends the run as it does with runspace workers' {
            $script = { if ($_ -le 3) { throw "bad $_" }; $_ }
            $local = Invoke-Capture { 1..30 | Invoke-ParallelJob -ThrottleLimit 1 -MaxFailures 2 $script 2>$null }

            $remote = Invoke-Capture { 1..30 | Invoke-ParallelJob -UseProcess -ThrottleLimit 1 -MaxFailures 2 $script 2>$null }

            $remote.Error.FullyQualifiedErrorId | Should -Be $local.Error.FullyQualifiedErrorId
            $remote.Error.FullyQualifiedErrorId | Should -BeLike 'MaxFailuresExceeded*'
            $remote.Output | Should -Be $local.Output
        }
    }

    Context 'job log and background jobs' {
        It '-LogPath records the items and -Resume runs only the rest' {
            $log = Join-Path $TestDrive 'proc.log'
            $folder = New-TestFolder
            $first = 1..4 | Invoke-ParallelJob @p -LogPath $log { $null = New-Item -Path (Join-Path $using:folder "$_.$([guid]::NewGuid())"); $_ * 10 }

            $second = 1..6 | Invoke-ParallelJob @p -LogPath $log -Resume { $null = New-Item -Path (Join-Path $using:folder "$_.$([guid]::NewGuid())"); $_ * 10 }

            $first | Should -Be (10, 20, 30, 40)
            $second | Should -Be (10, 20, 30, 40, 50, 60)
            Get-RunCount $folder 1 | Should -Be 1
            Get-RunCount $folder 6 | Should -Be 1
        }

        It '-AsJob returns a job whose results come from worker processes' {
            $job = 1..4 | Invoke-ParallelJob @p -AsJob { "$_ $($PID -ne $using:PID)" }

            $output = $job | Receive-Job -Wait -AutoRemoveJob

            $output | Should -Be ('1 True', '2 True', '3 True', '4 True')
        }
    }

    Context 'parameters' {
        It 'refuses -UseProcess with -Sequential' {
            { 1 | Invoke-ParallelJob -UseProcess -Sequential { $_ } } | Should -Throw -ErrorId 'ProcessParameterConflict*'
        }

        It 'refuses -MaxItemsPerWorker without -UseProcess' {
            { 1 | Invoke-ParallelJob -MaxItemsPerWorker 3 { $_ } } | Should -Throw -ErrorId 'ProcessParameterConflict*'
        }
    }
}
