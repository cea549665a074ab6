# Stops that stop: -ErrorAction Stop and -MaxFailures start nothing after the failure that ends the run,
# batched or not; -TimeoutSeconds, -MaxFailures and Select-Object -First end a run fed by an endless input;
# an item in a blocking .NET call is stopped by its timeout, the run's timeout and the run's end anyway.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    . (Join-Path $PSScriptRoot 'helpers/TestHelpers.ps1')

    # Runs $Script and says how long it took and what it threw (the tests bound only generously).
    function Measure-Run([scriptblock] $Script) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $thrown = $null
        $output = try { & $Script } catch { $thrown = $_ }
        [pscustomobject]@{ Output = $output; Error = $thrown; Seconds = $watch.Elapsed.TotalSeconds }
    }
}

AfterAll {
    Clear-ParallelJobPool
}

Describe 'Stops that stop' {
    Context 'no item starts after the failure that ends the run' {
        It 'with -ErrorAction Stop, quick batched items after the failing one never start (one worker)' {
            $started = [System.Collections.Concurrent.ConcurrentBag[int]]::new()
            $run = Measure-Run {
                1..500 | Invoke-ParallelJob -ThrottleLimit 1 -ErrorAction Stop {
                    ($using:started).Add($_)
                    if ($_ -eq 42) { throw 'item 42 broke' }
                    $_
                }
            }

            "$($run.Error)" | Should -BeLike '*item 42 broke*'
            $started.Count | Should -Be 42
            $run.Output | Should -Be (1..41)
        }

        It 'with -MaxFailures 1, the other worker''s items stop at their next item too' {
            $started = [System.Collections.Concurrent.ConcurrentBag[int]]::new()
            $run = Measure-Run {
                1..2000 | Invoke-ParallelJob -ThrottleLimit 2 -MaxFailures 1 {
                    ($using:started).Add($_)
                    if ($_ -eq 10) { throw 'item 10 broke' }
                    Start-Sleep -Milliseconds 2
                    $_
                } 2>$null
            }

            $run.Error.FullyQualifiedErrorId | Should -BeLike 'MaxFailuresExceeded*'
            # Both workers took items before the failure was seen; neither starts many after it.
            $started.Count | Should -BeLessThan 200
        }
    }

    Context 'an endless input' {
        It 'ends with RunTimedOut soon after -TimeoutSeconds (where ForEach-Object -Parallel goes on reading for ever)' {
            $run = Measure-Run { & { while ($true) { 1 } } | Invoke-ParallelJob -TimeoutSeconds 1 { Start-Sleep 10 } }

            $run.Error.FullyQualifiedErrorId | Should -BeLike 'RunTimedOut*'
            $run.Seconds | Should -BeLessThan 6
        }

        It 'ends with MaxFailuresExceeded once the limit is reached' {
            $run = Measure-Run { & { $i = 0; while ($true) { $i++; $i } } | Invoke-ParallelJob -MaxFailures 3 { throw "bad $_" } 2>$null }

            $run.Error.FullyQualifiedErrorId | Should -BeLike 'MaxFailuresExceeded*'
            $run.Seconds | Should -BeLessThan 10
        }

        It 'ends when Select-Object -First has what it wants, as ForEach-Object -Parallel does' {
            $reference = & { $i = 0; while ($true) { $i++; $i } } | ForEach-Object -Parallel { $_ } | Select-Object -First 5
            $run = Measure-Run { & { $i = 0; while ($true) { $i++; $i } } | Invoke-ParallelJob { $_ } | Select-Object -First 5 }

            $run.Output | Should -Be $reference
            $run.Output | Should -Be (1..5)
            $run.Seconds | Should -BeLessThan 10
        }
    }

    Context 'an item in a blocking .NET call' {
        It 'is reported ItemTimedOut soon after -ItemTimeoutSeconds, and the run goes on at full width' {
            $run = Measure-Run {
                1..6 | Invoke-ParallelJob -ThrottleLimit 2 -ItemTimeoutSeconds 1 -AsResult {
                    if ($_ -le 2) { 'before the call'; [System.Threading.Thread]::Sleep(30000) }
                    "done $_"
                }
            }

            $run.Seconds | Should -BeLessThan 12
            $run.Output.Status | Should -Be 'TimedOut', 'TimedOut', 'Completed', 'Completed', 'Completed', 'Completed'
            $run.Output[0].Errors[0].FullyQualifiedErrorId | Should -BeLike 'ItemTimedOut*'
            $run.Output[2..5].Output | Should -Be 'done 3', 'done 4', 'done 5', 'done 6'
        }

        It 'keeps the output the item wrote before it was stopped, written before its ItemTimedOut error' {
            $all = 1 | Invoke-ParallelJob -ItemTimeoutSeconds 1 { 'first'; [System.Threading.Thread]::Sleep(30000); 'never' } 2>&1

            $all[0] | Should -Be 'first'
            $all[1].FullyQualifiedErrorId | Should -BeLike 'ItemTimedOut*'
            $all.Count | Should -Be 2
        }

        It 'does not hold up -TimeoutSeconds' {
            $run = Measure-Run { 1..2 | Invoke-ParallelJob -TimeoutSeconds 1 { [System.Threading.Thread]::Sleep(30000) } }

            $run.Error.FullyQualifiedErrorId | Should -BeLike 'RunTimedOut*'
            $run.Seconds | Should -BeLessThan 8
        }
    }

    Context 'partial results' {
        It 'writes the items that finished before a run timeout, in order, past the one that did not' {
            $captured = [System.Collections.Generic.List[object]]::new()
            $run = Measure-Run {
                0..3 | Invoke-ParallelJob -TimeoutSeconds 2 -ThrottleLimit 4 -AsResult { if ($_ -eq 0) { Start-Sleep 100 }; "r$_" } |
                    ForEach-Object { $captured.Add($_) }
            }

            $run.Error.FullyQualifiedErrorId | Should -BeLike 'RunTimedOut*'
            "$($run.Error)" | Should -BeLike '*3 items finished*'
            $captured.Output | Should -Be 'r1', 'r2', 'r3'
            $captured.Index | Should -Be 1, 2, 3
        }
    }
}
