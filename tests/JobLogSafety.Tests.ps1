#Requires -Version 7.3
# The job log against two runs at once, changed input, damaged lines and a full disk, end to end.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    $script:dir = Join-Path ([IO.Path]::GetTempPath()) "pj-joblog-safety-$([guid]::NewGuid().ToString('N'))"
    $null = New-Item -ItemType Directory -Path $dir

    # One job for every run of a test (the log refuses another script block): each item leaves a mark in
    # $env:PJ_MARKS, waits (at most 20 s) while the file $env:PJ_GATE exists, and returns ten times its input.
    $script:work = {
        $null = New-Item -ItemType File -Path (Join-Path $env:PJ_MARKS "$_.$([guid]::NewGuid())")
        $until = [DateTime]::UtcNow.AddSeconds(20)
        while ($env:PJ_GATE -and (Test-Path $env:PJ_GATE) -and [DateTime]::UtcNow -lt $until) { Start-Sleep -Milliseconds 50 }
        $_ * 10
    }
    function New-Marks([string] $Name) {
        $env:PJ_MARKS = Join-Path $dir $Name
        $null = New-Item -ItemType Directory -Path $env:PJ_MARKS -Force
        $env:PJ_GATE = Join-Path $dir "$Name.gate"
        $env:PJ_MARKS
    }
    function Get-MarkCount { @(Get-ChildItem -LiteralPath $env:PJ_MARKS).Count }
}

AfterAll {
    Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Job log safety' {
    It 'refuses a second run on a log in use with LogInUse, and the second run changes nothing' {
        $log = Join-Path $dir 'busy.jsonl'
        $null = New-Marks busy
        1..2 | Invoke-ParallelJob $work -LogPath $log

        # The first run resumes the log and holds it until the gate is removed.
        $null = New-Item -ItemType File -Path $env:PJ_GATE
        $first = Start-ThreadJob {
            param($module, $log, $text)
            Import-Module $module
            1..6 | Invoke-ParallelJob -LogPath $log -Resume -ThrottleLimit 2 ([scriptblock]::Create($text))
        } -ArgumentList $env:PARALLELJOBS_MODULE, $log, $work.ToString()
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        while ((Get-MarkCount) -lt 3 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        Get-MarkCount | Should -BeGreaterOrEqual 3 -Because 'the first run has started its items'

        { 1..6 | Invoke-ParallelJob -LogPath $log -Resume $work } | Should -Throw -ErrorId 'LogInUse*'
        { 1..6 | Invoke-ParallelJob -LogPath $log -Force $work } | Should -Throw -ErrorId 'LogInUse*'

        Remove-Item -LiteralPath $env:PJ_GATE
        $output = $first | Wait-Job -Timeout 60 | Receive-Job
        Remove-Job $first -Force
        $output | Should -Be (10, 20, 30, 40, 50, 60)
        Get-MarkCount | Should -Be 6 -Because 'items 1 and 2 ran in the first call, 3 to 6 once each in the resumed run, none in the refused ones'

        # The log it left is whole: a third run resumes it and runs nothing.
        $again = 1..6 | Invoke-ParallelJob -LogPath $log -Resume -AsResult $work
        $again.Status | Should -Be (@('Completed') * 6)
        Get-MarkCount | Should -Be 6
        Test-Path "$log.lock" | Should -BeFalse
    }

    It 'refuses to resume a log written for 1..6 with 6..1 (LogInputMismatch), and reruns with -Force' {
        $log = Join-Path $dir 'order.jsonl'
        $null = New-Marks order
        1..6 | Invoke-ParallelJob $work -LogPath $log

        { 6..1 | Invoke-ParallelJob $work -LogPath $log -Resume } | Should -Throw -ErrorId 'LogInputMismatch*'
        $forced = 6..1 | Invoke-ParallelJob $work -LogPath $log -Resume -Force
        $forced | Should -Be (60, 50, 40, 30, 20, 10)

        # The same input resumes without running anything.
        # The log now records 6..1 under those keys: the same input resumes without running anything.
        $marks = Get-MarkCount
        $same = 6..1 | Invoke-ParallelJob $work -LogPath $log -Resume
        $same | Should -Be (60, 50, 40, 30, 20, 10)
        Get-MarkCount | Should -Be $marks
    }

    It 'resumes with the same input under -Key, whatever its order' {
        $log = Join-Path $dir 'keyed.jsonl'
        $null = New-Marks keyed
        1..6 | Invoke-ParallelJob $work -LogPath $log -Key { $_ }
        $again = 6..1 | Invoke-ParallelJob $work -LogPath $log -Resume -Key { $_ }
        $again | Should -Be (60, 50, 40, 30, 20, 10)
        Get-MarkCount | Should -Be 6
    }

    It 'reads a log with a trailing blank line' {
        $log = Join-Path $dir 'blank.jsonl'
        $null = New-Marks blank
        1..3 | Invoke-ParallelJob $work -LogPath $log
        Add-Content -LiteralPath $log -Value ''
        $again = 1..3 | Invoke-ParallelJob $work -LogPath $log -Resume -WarningVariable warned
        $again | Should -Be (10, 20, 30)
        $warned | Should -BeNullOrEmpty
        Get-MarkCount | Should -Be 3
    }

    It 'reports a Completed line with broken CliXml by its line number, before any item runs' {
        $log = Join-Path $dir 'xml.jsonl'
        $null = New-Marks xml
        1..3 | Invoke-ParallelJob $work -LogPath $log
        $lines = Get-Content -LiteralPath $log
        $lines[2] = $lines[2] -replace '<Objs', '<Ob js'
        Set-Content -LiteralPath $log -Value $lines

        $err = { 1..3 | Invoke-ParallelJob $work -LogPath $log -Resume } | Should -Throw -ErrorId 'LogCorrupt*' -PassThru
        $err.Exception.Message | Should -BeLike '*line 3*CliXml*'
        Get-MarkCount | Should -Be 3
    }

    It 'stops with LogWriteFailed, not a raw IOException, when the disk is full' -Skip:(-not $IsLinux) {
        $log = Join-Path $dir 'full.jsonl'
        $null = New-Item -ItemType SymbolicLink -Path $log -Target /dev/full
        $err = { 1..3 | Invoke-ParallelJob { $_ } -LogPath $log -Force } | Should -Throw -ErrorId 'LogWriteFailed*' -PassThru
        $err.Exception.Message | Should -BeLike '*disk full*'
    }
}
