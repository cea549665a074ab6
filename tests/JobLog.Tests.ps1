# The job log (-LogPath) and -Resume, including a resume after the process running the job is killed.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    . (Join-Path $PSScriptRoot 'helpers/TestHelpers.ps1')
}

Describe 'Invoke-ParallelJob job log' {
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
            $failures[0].ParallelJobItem.Index | Should -Be 2
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
            $failures.ParallelJobItem.Index | Should -Be @(3, 4)
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
}
