# The warm pool: runspaces reused between calls, reset between them, listed, cleared and expired;
# batches of quick items.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force

    function Get-WorkerRunspace { @(Get-Runspace | Where-Object Name -like 'ParallelJobs*') }

    # Two items that wait (bounded) until both run at once, so the call certainly opens two runspaces.
    $together = {
        $running = $using:running
        $null = $running.TryAdd($_, $true)
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        while ($running.Count -lt 2 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 10 }
        [runspace]::DefaultRunspace.Id
    }
}

AfterAll {
    Set-ParallelJobPool -IdleTimeoutSeconds 300 -MaxIdle 32
    Clear-ParallelJobPool
}

Describe 'Warm pool' {
    BeforeAll {
        $modulePath = Join-Path $TestDrive 'PJPoolTest.psm1'
        Set-Content -Path $modulePath -Value 'function Get-PJPoolTest { "pool test" }'
    }

    BeforeEach {
        Clear-ParallelJobPool
    }

    Context 'reuse' {
        It 'a second call with the same configuration reuses the runspace of the first' {
            $first = 1..4 | Invoke-ParallelJob -ThrottleLimit 1 { [runspace]::DefaultRunspace.Id }
            $second = 1..4 | Invoke-ParallelJob -ThrottleLimit 1 { [runspace]::DefaultRunspace.Id }

            @($first | Select-Object -Unique).Count | Should -Be 1
            $second | Select-Object -Unique | Should -Be $first[0]
        }

        It 'a second call reuses the runspaces of a first call that ran two at once' {
            $running = [System.Collections.Concurrent.ConcurrentDictionary[int, bool]]::new()
            $first = 1..2 | Invoke-ParallelJob -ThrottleLimit 2 -ScriptBlock $together
            $running = [System.Collections.Concurrent.ConcurrentDictionary[int, bool]]::new()
            $second = 1..2 | Invoke-ParallelJob -ThrottleLimit 2 -ScriptBlock $together

            @($first | Select-Object -Unique).Count | Should -Be 2
            @($second | Select-Object -Unique).Count | Should -Be 2
            $second | ForEach-Object { $first | Should -Contain $_ }
        }

        It 'a reused runspace carries no global variable, function or $Error from the earlier call' {
            $first = 1..3 | Invoke-ParallelJob -ThrottleLimit 1 {
                $global:x = "leaked by $_"
                function global:f { 'leaked' }
                try { throw 'recorded in $Error' } catch { }
                [pscustomobject]@{ Id = [runspace]::DefaultRunspace.Id; X = $global:x; F = Test-Path function:f; Errors = $Error.Count }
            }
            $second = 1..3 | Invoke-ParallelJob -ThrottleLimit 1 {
                [pscustomobject]@{ Id = [runspace]::DefaultRunspace.Id; X = $global:x; F = Test-Path function:f; Errors = $Error.Count }
            }

            # Within one call, globals do persist on the runspace: the check below is meaningful.
            $first[2].X | Should -Be 'leaked by 3'
            $first[2].F | Should -BeTrue
            $first[2].Errors | Should -BeGreaterThan 0
            $second.Id | Select-Object -Unique | Should -Be $first[0].Id
            $second.X | Should -Be @($null, $null, $null)
            $second.F | Should -Be @($false, $false, $false)
            $second.Errors | Should -Be @(0, 0, 0)
        }

        It 'a different -Module or -InitializationScript does not reuse the runspace' {
            $plain = 1 | Invoke-ParallelJob -ThrottleLimit 1 { [runspace]::DefaultRunspace.Id }
            $withInit = 1 | Invoke-ParallelJob -ThrottleLimit 1 -InitializationScript { $global:ready = $true } { [runspace]::DefaultRunspace.Id }
            $withModule = 1 | Invoke-ParallelJob -ThrottleLimit 1 -Module $modulePath { Get-PJPoolTest; [runspace]::DefaultRunspace.Id }
            $withInitAgain = 1 | Invoke-ParallelJob -ThrottleLimit 1 -InitializationScript { $global:ready = $true } { [runspace]::DefaultRunspace.Id }

            $withInit | Should -Not -Be $plain
            $withModule[0] | Should -Be 'pool test'
            $withModule[1] | Should -Not -BeIn @($plain, $withInit)
            $withInitAgain | Should -Be $withInit -Because 'the same initialization script reuses its runspace'
            (Get-ParallelJobPool).Count | Should -Be 3
        }
    }

    Context 'Get-ParallelJobPool' {
        It 'lists idle runspaces with Configuration, IdleTime and Runs' {
            $ids = 1..2 | ForEach-Object { 1 | Invoke-ParallelJob -ThrottleLimit 1 { [runspace]::DefaultRunspace.Id } }
            $null = 1 | Invoke-ParallelJob -ThrottleLimit 1 -Module $modulePath -InitializationScript { $global:ready = $true } { 1 }

            $pool = @(Get-ParallelJobPool)

            $pool.Count | Should -Be 2
            $pool | ForEach-Object { $_ | Should -BeOfType ParallelJobs.PoolRunspaceInfo }
            $plain = $pool | Where-Object Id -eq $ids[0]
            $plain | Should -Not -BeNullOrEmpty
            $ids[1] | Should -Be $ids[0]
            $plain.Configuration | Should -Be 'no modules'
            $plain.Runs | Should -Be 2
            $plain.IdleTime | Should -BeOfType TimeSpan
            $plain.IdleTime | Should -BeGreaterOrEqual ([TimeSpan]::Zero)
            $plain.Name | Should -BeLike 'ParallelJobs*'
            $configured = $pool | Where-Object Id -ne $ids[0]
            $configured.Configuration | Should -Be 'modules: PJPoolTest; with initialization script'
            $configured.Runs | Should -Be 1
        }

        It 'lists nothing after Clear-ParallelJobPool' {
            $null = 1 | Invoke-ParallelJob { 1 }
            Clear-ParallelJobPool

            Get-ParallelJobPool | Should -BeNullOrEmpty
        }
    }

    Context 'Clear-ParallelJobPool' {
        It '-PassThru returns how many runspaces it closed and leaves none' {
            $running = [System.Collections.Concurrent.ConcurrentDictionary[int, bool]]::new()
            $null = 1..2 | Invoke-ParallelJob -ThrottleLimit 2 -ScriptBlock $together
            $null = 1 | Invoke-ParallelJob -ThrottleLimit 1 -InitializationScript { $global:ready = $true } { 1 }
            (Get-ParallelJobPool).Count | Should -Be 3

            $closed = Clear-ParallelJobPool -PassThru

            $closed | Should -Be 3
            Get-ParallelJobPool | Should -BeNullOrEmpty
            Get-WorkerRunspace | Should -BeNullOrEmpty
            Clear-ParallelJobPool -PassThru | Should -Be 0
        }
    }

    Context 'Set-ParallelJobPool' {
        AfterEach {
            Set-ParallelJobPool -IdleTimeoutSeconds 300 -MaxIdle 32
        }

        It '-IdleTimeoutSeconds 1 makes idle runspaces disappear' {
            $null = 1 | Invoke-ParallelJob { 1 }
            @(Get-ParallelJobPool).Count | Should -Be 1

            Set-ParallelJobPool -IdleTimeoutSeconds 1
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            while (@(Get-ParallelJobPool).Count -gt 0 -and $watch.Elapsed.TotalSeconds -lt 30) { Start-Sleep -Milliseconds 100 }

            Get-ParallelJobPool | Should -BeNullOrEmpty
            Get-WorkerRunspace | Should -BeNullOrEmpty

            # A runspace returned while the short timeout is in force expires too.
            $null = 1 | Invoke-ParallelJob { 1 }
            $watch.Restart()
            while (@(Get-ParallelJobPool).Count -gt 0 -and $watch.Elapsed.TotalSeconds -lt 30) { Start-Sleep -Milliseconds 100 }

            Get-ParallelJobPool | Should -BeNullOrEmpty
            Get-WorkerRunspace | Should -BeNullOrEmpty
        }

        It '-IdleTimeoutSeconds 0 keeps no runspace' {
            Set-ParallelJobPool -IdleTimeoutSeconds 0

            1..3 | Invoke-ParallelJob { $_ } | Should -Be 1, 2, 3
            Get-ParallelJobPool | Should -BeNullOrEmpty
            Get-WorkerRunspace | Should -BeNullOrEmpty
        }

        It '-MaxIdle 1 keeps at most one idle runspace' {
            Set-ParallelJobPool -MaxIdle 1
            $running = [System.Collections.Concurrent.ConcurrentDictionary[int, bool]]::new()

            $ids = 1..2 | Invoke-ParallelJob -ThrottleLimit 2 -ScriptBlock $together

            @($ids | Select-Object -Unique).Count | Should -Be 2
            @(Get-ParallelJobPool).Count | Should -Be 1
            @(Get-WorkerRunspace).Count | Should -Be 1
        }
    }

    Context 'warm-up on import' {
        It 'a fresh session has five idle runspaces (the default -ThrottleLimit) soon after Import-Module, before any call' {
            # Until the warm-up's own run (on two pooled runspaces) has given them back too: on a busy machine that
            # takes a while after the fifth has opened.
            $child = "Import-Module '$env:PARALLELJOBS_MODULE'; `$deadline = [DateTime]::UtcNow.AddSeconds(60); " +
                "while (-not (@(Get-ParallelJobPool).Count -ge 5 -and @(Get-ParallelJobPool).Count -eq @(Get-Runspace | Where-Object Name -like 'ParallelJobs*').Count) -and [DateTime]::UtcNow -lt `$deadline) { Start-Sleep -Milliseconds 50 }; " +
                "Start-Sleep -Milliseconds 500; @(Get-ParallelJobPool).Count; @(Get-Runspace | Where-Object Name -like 'ParallelJobs*').Count"
            Push-Location (Split-Path -Parent $PSScriptRoot)
            try {
                $output = & dotnet pwsh -NoProfile -NonInteractive -Command $child
            }
            finally {
                Pop-Location
            }

            $LASTEXITCODE | Should -Be 0
            # Five pooled, no more, and no other worker runspace left open by the warm-up's own run.
            $output | Should -Be '5', '5'
        }

        It 'warms up once per process, however many runspaces import the module at once' {
            # Nested runs import the module into worker runspaces, several at a time.
            $child = "`$m = '$env:PARALLELJOBS_MODULE'; `$r = 1..8 | ForEach-Object -Parallel { Import-Module `$using:m; 'ok' } -ThrottleLimit 8; " +
                "Import-Module `$m; `$deadline = [DateTime]::UtcNow.AddSeconds(60); " +
                "while (@(Get-ParallelJobPool).Count -lt 5 -and [DateTime]::UtcNow -lt `$deadline) { Start-Sleep -Milliseconds 50 }; " +
                "Start-Sleep -Milliseconds 500; @(`$r).Count; @(Get-ParallelJobPool).Count"
            $output = & dotnet pwsh -NoProfile -NonInteractive -Command $child 2>&1

            $LASTEXITCODE | Should -Be 0
            $output | Should -Be '8', '5'
        }
    }

    Context 'batches' {
        It '-BatchSize 50 on 1000 quick items keeps order, isolation and error attribution' {
            $actual = 1..1000 | Invoke-ParallelJob -BatchSize 50 {
                if ($_ -eq 500) { Write-Error "item $_ failed" }
                "$_ [$leftover]"
                $leftover = $_
            } -ErrorVariable failures -ErrorAction SilentlyContinue

            $expected = 1..1000 | ForEach-Object { "$_ []" }
            @($actual).Count | Should -Be 1000
            ($actual -join ',') | Should -Be ($expected -join ',')
            $failures.Count | Should -Be 1
            $failures[0].Exception.Message | Should -Be 'item 500 failed'
            $failures[0].ParallelJobItem.Index | Should -Be 499
            $failures[0].ParallelJobItem.Input | Should -Be 500
        }

        It 'automatic batching on 20000 trivial items gives exactly the sequential result' {
            $expected = 1..20000 | ForEach-Object { $_ * 3 }

            $actual = 1..20000 | Invoke-ParallelJob { $_ * 3 }

            @($actual).Count | Should -Be 20000
            ($actual -join ',') | Should -Be ($expected -join ',')
        }
    }
}
