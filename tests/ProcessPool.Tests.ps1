# Worker processes (-UseProcess) kept warm between calls under the runspace pool's rules, and recycled
# within a call by -MaxItemsPerWorker and -MaxWorkerMemoryMB.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    . (Join-Path $PSScriptRoot 'helpers/TestHelpers.ps1')
    function Get-PooledProcess { @(Get-ParallelJobPool | Where-Object Kind -eq 'Process') }
}

AfterAll {
    Set-ParallelJobPool -IdleTimeoutSeconds 300
    Clear-ParallelJobPool
}

Describe 'Warm worker processes' {
    BeforeEach {
        Clear-ParallelJobPool
    }

    It 'a second call with the same configuration reuses the processes of the first; the pool cmdlets show and close them' {
        $first = 1..4 | Invoke-ParallelJob -UseProcess -ThrottleLimit 1 { $PID }
        $pooled = Get-PooledProcess

        $second = 1..4 | Invoke-ParallelJob -UseProcess -ThrottleLimit 1 { $PID }

        @($first | Select-Object -Unique).Count | Should -Be 1
        $second | Select-Object -Unique | Should -Be $first[0]
        $pooled.Count | Should -Be 1
        $pooled[0].ProcessId | Should -Be $first[0]
        $pooled[0].Runs | Should -Be 1
        Clear-ParallelJobPool
        Get-PooledProcess | Should -BeNullOrEmpty
        Wait-Until { -not (Get-Process -Id $first[0] -ErrorAction Ignore) } 15 | Should -BeTrue
    }

    It 'serves call after call in the same processes: what a call defined is gone in the next, batched or not' {
        # Quick items come back in collected batches, one at a time they stream: both on the pipeline a process keeps open.
        $null = 1..60 | Invoke-ParallelJob -UseProcess -ThrottleLimit 2 { $global:leak = $_; function global:Get-Leak { 1 }; $PID }
        # The pool's processes, not the PIDs the items saw: on a busy machine one process can run all 60 quick items
        # before the other has started, and that one is pooled all the same.
        $first = (Get-PooledProcess).ProcessId
        $first.Count | Should -Be 2
        $check = { "$([bool](Get-Variable leak -Scope Global -ErrorAction Ignore))|$([bool](Get-Command Get-Leak -ErrorAction Ignore))|$($_ * 2)" }
        $batched = 1..60 | Invoke-ParallelJob -UseProcess -ThrottleLimit 2 $check
        $single = 1..6 | Invoke-ParallelJob -UseProcess -ThrottleLimit 2 -BatchSize 1 $check
        $pids = 1..20 | Invoke-ParallelJob -UseProcess -ThrottleLimit 2 { $PID }

        $batched | Should -Be (1..60 | ForEach-Object { "False|False|$($_ * 2)" })
        $single | Should -Be (1..6 | ForEach-Object { "False|False|$($_ * 2)" })
        @($pids | Select-Object -Unique | Where-Object { $_ -notin $first }) | Should -BeNullOrEmpty
        # Both served the first call; each later call ran on at least one of them (under load one process can take a
        # whole call before the other gets an item: 7 of 8 seen once).
        (Get-PooledProcess | Measure-Object -Property Runs -Sum).Sum | Should -BeIn (5..8)
    }

    It 'items see the caller''s runtime settings in their environment, not the one worker processes start with' {
        $env:DOTNET_TieredPGO | Should -BeNullOrEmpty
        $script = { "[$env:DOTNET_TieredPGO]" }
        $seen = 1..2 | Invoke-ParallelJob -UseProcess -ThrottleLimit 2 $script
        $seen | Should -Be @('[]', '[]')
        $seen | Should -Be @(1..2 | ForEach-Object -Parallel $script -ThrottleLimit 2)
    }

    It 'another -InitializationScript gets processes of its own' {
        $plain = 1..2 | Invoke-ParallelJob -UseProcess -ThrottleLimit 1 { $PID }

        $prepared = 1..2 | Invoke-ParallelJob -UseProcess -ThrottleLimit 1 -InitializationScript { $global:x = 1 } { $PID }

        $prepared[0] | Should -Not -Be $plain[0]
        Wait-Until { (Get-PooledProcess).Count -eq 2 } 10 | Should -BeTrue
    }

    It 'an idle process is closed after the idle timeout' {
        Set-ParallelJobPool -IdleTimeoutSeconds 1
        try {
            $used = 1 | Invoke-ParallelJob -UseProcess -ThrottleLimit 1 { $PID }

            Wait-Until { (Get-PooledProcess).Count -eq 0 } 15 | Should -BeTrue
            Wait-Until { -not (Get-Process -Id $used -ErrorAction Ignore) } 15 | Should -BeTrue
        }
        finally {
            Set-ParallelJobPool -IdleTimeoutSeconds 300
        }
    }
}

Describe 'Recycling worker processes' {
    It '-MaxItemsPerWorker replaces a process after that many items' {
        $pids = 1..7 | Invoke-ParallelJob -UseProcess -ThrottleLimit 1 -MaxItemsPerWorker 3 { $PID }

        $pids.Count | Should -Be 7
        @($pids[0..2] | Select-Object -Unique).Count | Should -Be 1
        @($pids[3..5] | Select-Object -Unique).Count | Should -Be 1
        @($pids | Select-Object -Unique).Count | Should -Be 3
    }

    It '-MaxWorkerMemoryMB replaces a process whose working set grew past it, between items' {
        $pids = 1..3 | Invoke-ParallelJob -UseProcess -ThrottleLimit 1 -BatchSize 1 -MaxWorkerMemoryMB 400 {
            if ($_ -eq 1) { $bytes = [byte[]]::new(500MB); [System.Random]::new().NextBytes($bytes); $global:keep = $bytes }
            $PID
        }

        $pids[1] | Should -Not -Be $pids[0]
        $pids[2] | Should -Be $pids[1]
    }
}
