# -UseProcess with many quick items: batches of several items come back collected (each item's output and
# records on file as it ends, one message per batch), and must give what items run one at a time give.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    $p = @{ UseProcess = $true; ThrottleLimit = 2 }
    $null = 1..4 | Invoke-ParallelJob @p { $_ }

    # What an item wrote: output, and every record tagged with its stream, in input order.
    function Get-Written([object[]] $Inputs, [scriptblock] $Script, [hashtable] $Extra = @{}) {
        $errs = $null; $warns = $null; $infos = $null
        $splat = $p.Clone()
        foreach ($key in $Extra.Keys) { $splat[$key] = $Extra[$key] }
        $out = $Inputs | Invoke-ParallelJob @splat $Script -ErrorVariable errs -WarningVariable warns -InformationVariable infos -ErrorAction SilentlyContinue -WarningAction SilentlyContinue -InformationAction SilentlyContinue
        [pscustomobject]@{
            Output      = @($out | ForEach-Object { $_ | ConvertTo-Json -Depth 4 -Compress })
            Errors      = @($errs | ForEach-Object { "$($_.ParallelJobItem.Index)|$($_.Exception.Message)" })
            Warnings    = @($warns | ForEach-Object { "$_" })
            Information = @($infos | ForEach-Object { "$($_.MessageData)" })
        }
    }
}

AfterAll {
    Clear-ParallelJobPool
}

Describe 'Invoke-ParallelJob -UseProcess, batches of quick items' {
    It 'gives the same output, errors, warnings and information as one item per round trip (-BatchSize 1), and as runspace workers' {
        $script = {
            if ($_ % 7 -eq 0) { Write-Warning "w$_" }
            if ($_ % 11 -eq 0) { Write-Error "e$_" }
            if ($_ % 13 -eq 0) { Write-Information "i$_" }
            if ($_ % 17 -eq 0) { throw "t$_" }
            [pscustomobject]@{ N = $_; Inner = [pscustomobject]@{ Deeper = [pscustomobject]@{ Deepest = $_ } }; List = 1, 2 }
            if ($_ % 5 -eq 0) { $null; , @($_, $_) }
        }

        $one = Get-Written (1..300) $script @{ BatchSize = 1 }
        $batched = Get-Written (1..300) $script
        $runspaces = Get-Written (1..300) $script @{ UseProcess = $false }

        $batched.Output | Should -Be $one.Output
        $batched.Errors | Should -Be $one.Errors
        $batched.Warnings | Should -Be $one.Warnings
        $batched.Information | Should -Be $one.Information
        $batched.Errors.Count | Should -Be (27 + 17)
        # $null output is kept, as ForEach-Object -Parallel keeps it.
        $batched.Output | Should -Be $runspaces.Output
        $batched.Output | Should -Contain 'null'
        ($batched.Warnings | Sort-Object) | Should -Be ($runspaces.Warnings | Sort-Object)
    }

    It 'keeps $null and arrays an item writes, as ForEach-Object -Parallel does, in batches and one item at a time' {
        $script = { $_; $null; , @($_, 'x'); 7 }
        $expected = 1..40 | ForEach-Object -Parallel $script -ThrottleLimit 2 | ForEach-Object { $_ | ConvertTo-Json -Compress }

        $batched = 1..40 | Invoke-ParallelJob @p $script | ForEach-Object { $_ | ConvertTo-Json -Compress }
        $single = 1..40 | Invoke-ParallelJob @p -BatchSize 1 $script | ForEach-Object { $_ | ConvertTo-Json -Compress }

        # ForEach-Object -Parallel writes in completion order: the same objects, in input order here.
        @($batched).Count | Should -Be 160
        ($batched | Sort-Object) | Should -Be ($expected | Sort-Object)
        $single | Should -Be $batched
        $batched[1] | Should -Be 'null'
    }

    It 'keeps each item''s errors with that item (-AsResult)' {
        $results = 1..200 | Invoke-ParallelJob @p -AsResult { if ($_ % 50 -eq 0) { Write-Error "e$_" }; $_ } -ErrorAction SilentlyContinue

        ($results | Where-Object { $_.Errors }).Input | Should -Be 50, 100, 150, 200
        "$($results[99].Errors[0])" | Should -BeLike '*e100'
        $results.Count | Should -Be 200
        $results[49].Output | Should -Be 50
        $results[48].Status | Should -Be 'Completed'
        $results[48].Errors | Should -BeNullOrEmpty
    }

    It 'gives an item''s terminating error its own record, keeping what the item wrote before it' {
        $output = 1..100 | Invoke-ParallelJob @p { $_; if ($_ -eq 40) { 'before'; throw 'boom' } } -ErrorVariable errs -ErrorAction SilentlyContinue

        $output.Count | Should -Be 101
        $output[40] | Should -Be 'before'
        $errs.Count | Should -Be 1
        $errs[0].Exception.Message | Should -Be 'boom'
        $errs[0].ParallelJobItem.Input | Should -Be 40
    }

    It 'runs every item exactly once, and loses none, when one item ends its process' {
        # One file per run of an item (appending to one file from two processes can lose lines).
        $log = New-Item -ItemType Directory (Join-Path $TestDrive 'ran')
        $output = 1..400 | Invoke-ParallelJob @p {
            [IO.File]::WriteAllText((Join-Path $using:log "$_-$([guid]::NewGuid())"), '')
            if ($_ -eq 250) { [Environment]::Exit(3) }
            $_
        } -ErrorVariable errs -ErrorAction SilentlyContinue

        $output.Count | Should -Be 399
        $output | Should -Be (@(1..249) + @(251..400))
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'WorkerProcessExited*'
        $ran = Get-ChildItem $log | ForEach-Object { [int]($_.Name -split '-')[0] }
        $ran.Count | Should -Be 400
        ($ran | Sort-Object -Unique).Count | Should -Be 400
    }

    It 'starts no item after the failure that reaches -MaxFailures' {
        $log = Join-Path $TestDrive 'started.txt'
        try {
            $null = 1..400 | Invoke-ParallelJob -UseProcess -ThrottleLimit 1 -MaxFailures 1 {
                [IO.File]::AppendAllText($using:log, "$_`n")
                if ($_ -eq 100) { throw 'stop here' }
                $_
            } -ErrorAction SilentlyContinue
        }
        catch {
            $halt = $_
        }

        $halt.FullyQualifiedErrorId | Should -BeLike 'MaxFailuresExceeded*'
        $started = Get-Content $log | ForEach-Object { [int]$_ }
        $started | Should -Be (1..100)
    }

    It 'keeps $using: values, -ArgumentList and scoping as runspace workers do' {
        $offset = 1000
        $script = { param($k) $x = $_ + $using:offset + $k; if ($_ -eq 1) { $y = 'set' }; "$x/$y" }
        $expected = 1..200 | Invoke-ParallelJob -ThrottleLimit 2 $script -ArgumentList 5

        $output = 1..200 | Invoke-ParallelJob @p $script -ArgumentList 5

        $output | Should -Be $expected
    }

    It 'recovers when an item removes the functions that drive the process' {
        $first = 1..20 | Invoke-ParallelJob @p { Get-ChildItem function: | Remove-Item -Force; $_ }
        $second = 1..50 | Invoke-ParallelJob @p { $_ * 2 }

        $first.Count | Should -Be 20
        $second | Should -Be (1..50 | ForEach-Object { $_ * 2 })
    }
}
