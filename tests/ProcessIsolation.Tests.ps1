# -UseProcess isolates items hard: an item that exits or kills its process fails alone (WorkerProcessExited)
# and a new process takes its place; a stuck item is killed at its timeout or on Ctrl+C; no worker outlives
# its caller, even one killed with kill -9.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    . (Join-Path $PSScriptRoot 'helpers/TestHelpers.ps1')
    $p = @{ UseProcess = $true; ThrottleLimit = 2 }

    # True while the process runs (a zombie waiting to be reaped counts as gone).
    function Test-ProcessAlive([int] $Id) {
        if ($IsLinux) {
            $stat = Get-Content -LiteralPath "/proc/$Id/stat" -Raw -ErrorAction Ignore
            return [bool]$stat -and $stat.Substring($stat.LastIndexOf(')') + 2, 1) -ne 'Z'
        }
        return [bool](Get-Process -Id $Id -ErrorAction Ignore)
    }

    # A new pwsh like this one (dotnet pwsh runs pwsh.dll through the dotnet host).
    function Start-Pwsh([string] $Command) {
        $dll = Join-Path $PSHOME 'pwsh.dll'
        $info = [System.Diagnostics.ProcessStartInfo]::new()
        if (Test-Path -LiteralPath $dll) {
            $info.FileName = (Get-Process -Id $PID).Path
            $info.ArgumentList.Add($dll)
        }
        else {
            $info.FileName = Join-Path $PSHOME 'pwsh'
        }
        foreach ($arg in '-NoProfile', '-NonInteractive', '-Command', $Command) { $info.ArgumentList.Add($arg) }
        $info.RedirectStandardOutput = $true
        [System.Diagnostics.Process]::Start($info)
    }
}

AfterAll {
    Clear-ParallelJobPool
}

Describe 'Worker processes isolate their items' {
    It 'an item that calls [Environment]::Exit(1) fails alone with WorkerProcessExited and its exit code' {
        $output = 1..20 | Invoke-ParallelJob @p { if ($_ -eq 7) { [Environment]::Exit(1) }; $_ } -ErrorVariable errors 2>$null

        $output | Should -Be (1..20 | Where-Object { $_ -ne 7 })
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'WorkerProcessExited*'
        $errors[0].Exception.Message | Should -Match 'exited with code 1 '
        $errors[0].ParallelJobItem.Input | Should -Be 7
    }

    It 'a process killed under its item is replaced: the items after it run in a new process' {
        $results = 1..4 | Invoke-ParallelJob -UseProcess -ThrottleLimit 1 -BatchSize 1 -AsResult {
            if ($_ -eq 2) { Stop-Process -Id $PID -Force }
            $PID
        }

        $results.Status | Should -Be @('Completed', 'Failed', 'Completed', 'Completed')
        $results[1].Errors[0].FullyQualifiedErrorId | Should -BeLike 'WorkerProcessExited*'
        $results[2].Output | Should -Not -Be $results[0].Output
        $results[3].Output | Should -Be $results[2].Output
    }

    It 'counts as a failed attempt for -RetryCount: the retry runs in a new process' {
        $folder = New-TestFolder
        $results = 1..2 | Invoke-ParallelJob @p -RetryCount 1 -RetryDelay 0 -AsResult {
            if ($_ -eq 2 -and -not (Test-Path (Join-Path $using:folder 'once'))) {
                $null = New-Item -Path (Join-Path $using:folder 'once')
                [Environment]::Exit(3)
            }
            $_
        }

        $results.Status | Should -Be @('Completed', 'Completed')
        $results[1].Attempts | Should -Be 2
        $results.Output | Should -Be (1, 2)
    }

    It '-ItemTimeoutSeconds kills a process whose item does not stop (a blocking .NET call)' {
        $folder = New-TestFolder
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $results = 1..3 | Invoke-ParallelJob @p -ItemTimeoutSeconds 3 -AsResult {
            if ($_ -eq 2) { Set-Content -LiteralPath (Join-Path $using:folder "$PID") -Value ''; [System.Threading.Thread]::Sleep(60000) }
            $_
        }

        $watch.Elapsed.TotalSeconds | Should -BeLessThan 30
        $results.Status | Should -Be @('Completed', 'TimedOut', 'Completed')
        $results[1].Errors[0].FullyQualifiedErrorId | Should -BeLike 'ItemTimedOut*'
        $stuck = [int](Get-ChildItem -LiteralPath $folder).Name
        Wait-Until { -not (Test-ProcessAlive $stuck) } 10 | Should -BeTrue
    }

    It 'Ctrl+C returns at once and kills the workers that do not stop' {
        $folder = New-TestFolder
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
            param($module, $folder)
            Import-Module $module
            1..2 | Invoke-ParallelJob -UseProcess -ThrottleLimit 2 {
                Set-Content -LiteralPath (Join-Path $using:folder "$PID") -Value ''
                [System.Threading.Thread]::Sleep(60000)
            }
        }).AddArgument($env:PARALLELJOBS_MODULE).AddArgument($folder)
        $async = $ps.BeginInvoke()
        Wait-Until { @(Get-ChildItem -LiteralPath $folder).Count -eq 2 } 120 | Should -BeTrue
        $workers = @(Get-ChildItem -LiteralPath $folder).Name | ForEach-Object { [int]$_ }

        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $ps.Stop()

        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
        Wait-Until { -not ($workers | Where-Object { Test-ProcessAlive $_ }) } 15 | Should -BeTrue
        $ps.Dispose()
    }

    It 'lets its caller exit at the end of its script, and the pooled workers end with it' {
        # At exit PowerShell disposes the open runspaces it knows of and waits for each; a worker process's runspace
        # is not one of them (its close once waited for ever), and the worker watches its caller instead.
        $folder = New-TestFolder
        $caller = Start-Pwsh "Import-Module '$env:PARALLELJOBS_MODULE'; foreach (`$call in 1..3) { `$null = 1..4 | Invoke-ParallelJob -UseProcess -ThrottleLimit 2 { Set-Content -LiteralPath (Join-Path '$folder' `$PID) -Value '' } }; 'done'"
        try {
            $caller.WaitForExit(90000) | Should -BeTrue
            $workers = @(Get-ChildItem -LiteralPath $folder).Name | ForEach-Object { [int]$_ }
            $workers.Count | Should -BeGreaterThan 0
            Wait-Until { -not ($workers | Where-Object { Test-ProcessAlive $_ }) } 20 | Should -BeTrue
        }
        finally {
            if (-not $caller.HasExited) { $caller.Kill() }
            $caller.Dispose()
        }
    }

    It 'leaves no worker behind when its caller is killed with kill -9' -Skip:(-not $IsLinux) {
        $folder = New-TestFolder
        $caller = Start-Pwsh "Import-Module '$env:PARALLELJOBS_MODULE'; 1..2 | Invoke-ParallelJob -UseProcess -ThrottleLimit 2 { Set-Content -LiteralPath (Join-Path '$folder' `$PID) -Value ''; Start-Sleep 120 }"
        try {
            Wait-Until { @(Get-ChildItem -LiteralPath $folder).Count -eq 2 } 120 | Should -BeTrue
            $workers = @(Get-ChildItem -LiteralPath $folder).Name | ForEach-Object { [int]$_ }
            $workers | ForEach-Object { Test-ProcessAlive $_ } | Should -Be @($true, $true)

            $caller.Kill()

            Wait-Until { -not ($workers | Where-Object { Test-ProcessAlive $_ }) } 20 | Should -BeTrue
        }
        finally {
            if (-not $caller.HasExited) { $caller.Kill() }
            $caller.Dispose()
        }
    }
}
