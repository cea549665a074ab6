# Live output: an item's output and records are written as they come whenever they may be (the oldest
# unfinished item's, or with -Unordered any item's), not only when the item ends.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force

    # Runs $Script and records, for each output object, how many seconds after the start it arrived.
    function Measure-Arrival([scriptblock] $Script) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        & $Script | ForEach-Object { [pscustomobject]@{ Value = $_; At = $watch.Elapsed.TotalSeconds } }
    }
}

AfterAll {
    Clear-ParallelJobPool
}

Describe 'Live output' {
    It 'writes what the first item wrote before it ends, as ForEach-Object -Parallel does' {
        $reference = Measure-Arrival { 1 | ForEach-Object -Parallel { 'a'; Start-Sleep 3; 'b' } }
        $arrivals = Measure-Arrival { 1 | Invoke-ParallelJob { 'a'; Start-Sleep 3; 'b' } }

        $arrivals.Value | Should -Be 'a', 'b'
        $reference.Value | Should -Be 'a', 'b'
        ($arrivals[1].At - $arrivals[0].At) | Should -BeGreaterThan 2
        ($reference[1].At - $reference[0].At) | Should -BeGreaterThan 2
    }

    It 'keeps input order: a later item''s output waits for the earlier items' {
        $arrivals = Measure-Arrival {
            1..3 | Invoke-ParallelJob -ThrottleLimit 3 { if ($_ -eq 1) { Start-Sleep 2 }; "$_ first"; if ($_ -eq 2) { Start-Sleep 2 }; "$_ second" }
        }

        $arrivals.Value | Should -Be '1 first', '1 second', '2 first', '2 second', '3 first', '3 second'
    }

    It 'with -Unordered, writes an item''s early output while it still runs' {
        $arrivals = Measure-Arrival { 1..2 | Invoke-ParallelJob -Unordered { "$_ early"; Start-Sleep 3; "$_ late" } }

        $early = @($arrivals | Where-Object Value -like '* early')
        $late = @($arrivals | Where-Object Value -like '* late')
        $early.Count | Should -Be 2
        $late.Count | Should -Be 2
        (($late | Measure-Object At -Minimum).Minimum - ($early | Measure-Object At -Maximum).Maximum) | Should -BeGreaterThan 2
    }

    It 'writes a live item''s errors in their place among its output, naming the item' {
        $all = 1 | Invoke-ParallelJob { 'before'; Write-Error 'in between'; Start-Sleep -Milliseconds 300; 'after' } 2>&1

        $all.Count | Should -Be 3
        $all[0] | Should -Be 'before'
        $all[1].Exception.Message | Should -Be 'in between'
        $all[1].ParallelJobItem.Index | Should -Be 0
        $all[2] | Should -Be 'after'
    }

    It 'holds everything back where it must wait for the item''s end: -AsResult, and retries (no output twice)' {
        $marker = Join-Path $TestDrive 'tried'
        $result = 1 | Invoke-ParallelJob -AsResult { 'a'; Write-Error 'e'; 'b' }
        $retried = 1 | Invoke-ParallelJob -RetryCount 1 -RetryDelay 0 {
            'x'
            if (-not (Test-Path $using:marker)) { $null = New-Item -ItemType File $using:marker; throw 'first attempt' }
        }

        $result.Output | Should -Be 'a', 'b'
        $result.Status | Should -Be 'Failed'
        $retried | Should -Be 'x'
    }

    It 'still marks an item Failed when its error was written live' {
        $result = 1 | Invoke-ParallelJob { Write-Error 'soft'; 'done' } -ErrorVariable failures 2>$null

        $result | Should -Be 'done'
        $failures.Count | Should -Be 1
    }
}
