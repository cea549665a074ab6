BeforeDiscovery {
    # Real SSH servers need Linux and root (sshd, network namespaces); elsewhere these tests say why they skip.
    $script:labSkip = -not $IsLinux -or (& id -u) -ne '0'
}

Describe 'Invoke-ParallelJob on remote hosts over SSH' -Skip:$labSkip {
    BeforeAll {
        Import-Module $env:PARALLELJOBS_MODULE -Force
        . "$PSScriptRoot/helpers/SshTestLab.ps1"
        $lab = Start-SshTestLab -HostCount 2
        $a, $b = $lab.Hosts
        Write-Host "SSH lab ($($lab.Mode)): hosts $($lab.Hosts.Name -join ', ')"
        $options = Get-SshTestLabOptions $lab
        $remote = @{ HostName = $a.Name, $b.Name; UserName = 'root'; KeyFilePath = $lab.KeyFile; Options = $options }
        $hostNames = @($a.Name, $b.Name)

        # A module that only host a has.
        $toolsDir = New-Item -ItemType Directory -Path (Join-Path $a.Modules 'PjLabTools')
        Set-Content -Path (Join-Path $toolsDir 'PjLabTools.psm1') -Value 'function Get-PjLabTools { "tools on $env:PJLAB_HOST" }'

        # Two sessions on each host, opened once for the tests that borrow sessions.
        $sessions = foreach ($labHost in $a, $b, $a, $b) {
            New-PSSession -HostName $labHost.Address -Port $labHost.Port -UserName root -KeyFilePath $lab.KeyFile -Options $options -ErrorAction Stop
        }
    }

    AfterAll {
        if ($sessions) { $sessions | Remove-PSSession -ErrorAction Ignore }
        Stop-SshTestLab $lab
    }

    Context 'Ordered results across two hosts' {
        It 'writes every item in input order and spreads the items over both hosts' {
            $results = 1..16 | Invoke-ParallelJob @remote -ThrottleLimit 2 -AsResult {
                Start-Sleep -Milliseconds 200
                "$_ on $env:PJLAB_HOST"
            }

            $results.Index | Should -Be (0..15)
            $results.Status | Sort-Object -Unique | Should -Be 'Completed'
            ($results.Output -replace ' on .*') | Should -Be (1..16 | ForEach-Object { "$_" })
            $results.Host | Sort-Object -Unique | Should -Be ($hostNames | Sort-Object)
            foreach ($result in $results) {
                $letter = if ($result.Host -eq $a.Name) { 'a' } else { 'b' }
                $result.Output | Should -BeLike "* on $letter"
            }
        }

        It 'writes every item once with -Unordered' {
            $output = 1..12 | Invoke-ParallelJob -Session $sessions -Unordered { Start-Sleep -Milliseconds (50 * ($_ % 3)); $_ * 2 }

            $output | Sort-Object | Should -Be (1..12 | ForEach-Object { $_ * 2 })
        }
    }

    Context 'Warm sessions across calls' {
        BeforeAll {
            function Wait-Gone([int[]] $Ids) {
                $deadline = [DateTime]::UtcNow.AddSeconds(10)
                while (($Ids | Where-Object { Get-Process -Id $_ -ErrorAction Ignore }) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            }
        }

        AfterAll {
            Clear-ParallelJobPool
        }

        It 'a second call to the same hosts starts on the sessions of the first, reset; the pool cmdlets show and close them' {
            Clear-ParallelJobPool
            # Items take a while, so that every slot has connected and run some.
            $first = 1..24 | Invoke-ParallelJob @remote -ThrottleLimit 2 { Start-Sleep -Milliseconds 300; $global:leak = 'left'; $PID }
            $pooled = @(Get-ParallelJobPool | Where-Object Kind -eq 'SSH')

            $second = 1..8 | Invoke-ParallelJob @remote -ThrottleLimit 2 { [pscustomobject]@{ Pid = $PID; Leak = "[$global:leak]" } }

            $pooled.Count | Should -Be 4
            ($pooled.Name | Sort-Object -Unique) | Should -Be ($hostNames | ForEach-Object { "SSH $_" } | Sort-Object)
            $second.Pid | ForEach-Object { $first | Should -Contain $_ }
            $second.Leak | Sort-Object -Unique | Should -Be '[]'
            Clear-ParallelJobPool
            Get-ParallelJobPool | Where-Object Kind -eq 'SSH' | Should -BeNullOrEmpty
        }

        It 'a pooled session that died meanwhile is opened again, not reported' {
            Clear-ParallelJobPool
            $first = 1..4 | Invoke-ParallelJob @remote -ThrottleLimit 1 { $PID }
            $first | Select-Object -Unique | ForEach-Object { Stop-Process -Id $_ -Force -ErrorAction Ignore }
            Wait-Gone ($first | Select-Object -Unique)

            $second = 1..4 | Invoke-ParallelJob @remote -ThrottleLimit 1 { "$_ $PID" } -WarningVariable warnings -ErrorVariable errors

            ($second -replace ' .*') | Should -Be (1..4 | ForEach-Object { "$_" })
            $warnings | Should -BeNullOrEmpty
            $errors | Should -BeNullOrEmpty
            ($second -replace '.* ') | ForEach-Object { $first | Should -Not -Contain $_ }
        }

        # One slot on one host, so that every item follows another in the same session. Each case reports what the
        # item before it left, then leaves something itself; runspace workers here give every item a clean start.
        It 'an item does not see what an earlier item of the call left in its session, nor does the next call (<Name>)' -ForEach @(
            @{ Name = 'a global variable'; Script = { $before = "$global:leftItem"; $global:leftItem = $_; "[$before]" } }
            @{ Name = 'a function'; Script = { $before = [bool](Get-Command leftFunction -ErrorAction Ignore); function global:leftFunction {}; $before } }
            @{ Name = 'an alias'; Script = { $before = [bool](Get-Alias leftAlias -ErrorAction Ignore); Set-Alias leftAlias Get-Date -Scope Global; $before } }
            @{ Name = 'a drive'; Script = { $before = [bool](Get-PSDrive leftDrive -ErrorAction Ignore); $null = New-PSDrive leftDrive FileSystem / -Scope Global; $before } }
            @{ Name = 'a module'; Script = { $before = [bool](Get-Module leftModule); New-Module leftModule { function Get-Left {} } | Import-Module -Global; $before } }
            @{ Name = 'a preference'; Script = { $before = "$ErrorActionPreference"; $global:ErrorActionPreference = 'Stop'; $before } }
            @{ Name = 'an $Error entry'; Script = { $before = $Error.Count; Write-Error 'left' -ErrorAction SilentlyContinue; $before } }
            @{ Name = 'the location'; Script = { $before = (Get-Location).Path; Set-Location /; $before -eq $HOME } }
        ) {
            $oneSlot = @{} + $remote
            $oneSlot.HostName = $a.Name
            $local = 1..4 | Invoke-ParallelJob -ThrottleLimit 1 $Script
            if ($Name -eq 'the location') { $local = 1..4 | ForEach-Object { $true } }

            $first = 1..4 | Invoke-ParallelJob @oneSlot -ThrottleLimit 1 $Script -ErrorAction SilentlyContinue
            $second = 1..4 | Invoke-ParallelJob @oneSlot -ThrottleLimit 1 $Script -ErrorAction SilentlyContinue

            ($first | ForEach-Object { "$_" }) | Should -Be ($local | ForEach-Object { "$_" })
            ($second | ForEach-Object { "$_" }) | Should -Be ($local | ForEach-Object { "$_" })
        }
    }

    Context 'Streams carry the item and the host' {
        It 'marks errors, warnings, verbose and information records with the index and the host' {
            $output = 1..4 | Invoke-ParallelJob -Session $sessions -Verbose {
                if ($_ -eq 3) {
                    Write-Warning "warned $_"
                    Write-Verbose "verbose $_"
                    Write-Information "informed $_"
                    Write-Error "failed $_"
                }
                $_
            } -WarningVariable warnings -ErrorVariable errors -InformationVariable information -ErrorAction Continue 2>$null 3>$null 4>$null 6>$null

            $output | Should -Be (1..4)
            $errors.Count | Should -Be 1
            $errors[0].ParallelJobItem.Index | Should -Be 2
            $errors[0].ParallelJobItem.Input | Should -Be 3
            $hostNames | Should -Contain $errors[0].ParallelJobItem.Host
            $itemHost = [regex]::Escape($errors[0].ParallelJobItem.Host)
            "$($errors[0])" | Should -Match "^Item \[2@$itemHost\] 3: failed 3$"
            $warnings.Message | Should -Match "^\[2@$itemHost\] warned 3$"
            $information.MessageData | Should -Be 'informed 3'
            $information.Tags | Should -Contain 'ParallelJobs.Index=2'
            $information.Tags | Should -Contain "ParallelJobs.Host=$($errors[0].ParallelJobItem.Host)"
        }

        It 'shows remote verbose records with the item and the host' {
            $records = 1 | Invoke-ParallelJob -Session $sessions[0] -Verbose { Write-Verbose "step $_" } 4>&1

            $records.Message | Should -Match "^\[0@$([regex]::Escape($a.Name))\] step 1$"
        }
    }

    Context '$using:, -ArgumentList, -Variable and -Function' {
        It 'passes the caller''s state to the remote items' {
            $factor = 3
            function Format-Item { param($x) "item $x" }
            $output = 1..5 | Invoke-ParallelJob -Session $sessions -Function Format-Item -Variable @{ Prefix = '>' } -ArgumentList 10 {
                param($offset)
                "$Prefix $(Format-Item ($_ * $using:factor + $offset))"
            }

            $output | Should -Be @('> item 13', '> item 16', '> item 19', '> item 22', '> item 25')
        }

        It 'runs a script block''s named blocks, exit and $using: expressions per item on the remote hosts' {
            $list = 10, 20, 30
            $output = 1..3 | Invoke-ParallelJob -Session $sessions { begin { "b$_" } process { "p$_ $($using:list.Count)" } end { 'e' } }
            $output | Should -Be 'b1', 'p1 3', 'e', 'b2', 'p2 3', 'e', 'b3', 'p3 3', 'e'
            1..3 | Invoke-ParallelJob -Session $sessions { "a$_"; exit; 'z' } | Should -Be 'a1', 'a2', 'a3'
            1..2 | Invoke-ParallelJob -Session $sessions { [CmdletBinding()] param() $PSCmdlet.GetType().Name } | Should -Be 'PSScriptCmdlet', 'PSScriptCmdlet'
        }

        It 'runs -InitializationScript once per session before the items' {
            $output = 1..4 | Invoke-ParallelJob -Session $sessions -InitializationScript { $global:seed = 100 } { $seed + $_ }

            $output | Should -Be (101..104)
        }

        It 'gives borrowed sessions back open, without the run''s variables and functions' {
            function Get-Borrowed { 'mine' }
            $null = 1..4 | Invoke-ParallelJob -Session $sessions -Function Get-Borrowed -Variable @{ Borrowed = 1 } { Get-Borrowed }

            $sessions.State | Sort-Object -Unique | Should -Be 'Opened'
            $left = Invoke-Command -Session $sessions {
                @(Get-Variable -Name Borrowed, ParallelJob, __pjTasks, __pjRunState -Scope Global -ErrorAction Ignore).Count +
                @(Get-Command -Name Get-Borrowed, __pjRunItem, __pjRestore -ErrorAction Ignore).Count
            }
            $left | Should -Be @(0, 0, 0, 0)
        }
    }

    Context '-SSHConnection hashtables' {
        It 'connects on the given port, with ssh options, in every one of several processes' {
            # Hashtable order differs from process to process; the port must hold in all of them.
            $script = Join-Path $lab.Root 'port-check.ps1'
            Set-Content -Path $script -Value @"
Import-Module '$env:PARALLELJOBS_MODULE'
`$connection = @{ HostName = '$($b.Address)'; Port = $($b.Port); UserName = 'root'; KeyFilePath = '$($lab.KeyFile)'; Options = @{ UserKnownHostsFile = '$($lab.KnownHosts)' } }
1 | Invoke-ParallelJob -SSHConnection `$connection { "on `$env:PJLAB_HOST" } -AsResult | ForEach-Object { "`$(`$_.Output) `$(`$_.Host)" }
"@
            $dotnet = (Get-Process -Id $PID).Path
            $children = foreach ($n in 1..3) {
                $out = Join-Path $lab.Root "port-check-$n.txt"
                $process = Start-Process -FilePath $dotnet -ArgumentList @((Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive', '-File', $script) `
                    -RedirectStandardOutput $out -RedirectStandardError "$out.err" -PassThru
                [pscustomobject]@{ Process = $process; Output = $out }
            }

            foreach ($child in $children) {
                if (-not $child.Process.WaitForExit(180000)) { $child.Process.Kill($true) }
                (Get-Content $child.Output -Raw).Trim() | Should -Be "on b $($b.Name)" -Because (Get-Content "$($child.Output).err" -Raw)
            }
        }
    }

    Context 'A host that cannot be reached' {
        It 'warns once and runs every item on the other host' {
            # Nothing listens on this port (in the loopback lab, on a port just found free).
            $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
            $listener.Start(); $freePort = $listener.LocalEndpoint.Port; $listener.Stop()
            $unreachable = if ($lab.Mode -eq 'netns') { "$($b.Address):2299" } else { "127.0.0.1:$freePort" }

            $results = 1..6 | Invoke-ParallelJob -HostName $a.Name, $unreachable -UserName root -KeyFilePath $lab.KeyFile -Options $options `
                -ThrottleLimit 2 -AsResult { $_ * 2 } -WarningVariable warnings 3>$null

            $results.Output | Should -Be (2, 4, 6, 8, 10, 12)
            $results.Host | Sort-Object -Unique | Should -Be $a.Name
            @($warnings).Count | Should -Be 1
            "$($warnings[0])" | Should -BeLike "Host '$unreachable' could not be reached*"
        }
    }

    Context 'A module missing on a host' {
        BeforeEach {
            # These cases time a host's failure against the connections a run opens itself; sessions kept warm
            # by earlier calls (tested in 'Warm sessions across calls') would change when each host starts.
            Clear-ParallelJobPool
        }

        It 'writes an error that names the host and runs the items where the module is' {
            # Items take a while, so the host without the module finishes connecting and fails its import
            # while work remains; with instant items host a could finish everything first.
            $results = 1..8 | Invoke-ParallelJob @remote -ThrottleLimit 1 -Module PjLabTools -AsResult { Start-Sleep -Milliseconds 500; Get-PjLabTools } -ErrorVariable errors -ErrorAction Continue 2>$null

            $results.Output | Should -Be (@('tools on a') * 8)
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'RemoteModuleImportFailed*'
            "$($errors[0])" | Should -BeLike "*'PjLabTools'*host '$($b.Name)'*"
        }

        It 'stops with an error that counts the items not done when no host has the module' {
            $thrown = $null
            try {
                1..3 | Invoke-ParallelJob @remote -ThrottleLimit 1 -Module PjNoSuchModule { $_ } -ErrorVariable errors -ErrorAction Continue 2>$null
            }
            catch { $thrown = $_ }

            $thrown.FullyQualifiedErrorId | Should -BeLike 'AllHostsLost*'
            "$thrown" | Should -BeLike '*3 items were not done*'
            @($errors | Where-Object FullyQualifiedErrorId -like 'RemoteModuleImportFailed*').Count | Should -Be 2
        }
    }

    Context 'A host killed in the middle of the run' {
        BeforeAll {
            # The borrowed sessions are done with; they would only break along with their hosts.
            $sessions | Remove-PSSession
            $sessions = $null
        }

        BeforeEach {
            # As above: the run opens its own sessions, so the kill lands while host b runs an item.
            Clear-ParallelJobPool
        }

        AfterEach {
            # Bring the lost host back for whatever runs next.
            Stop-SshTestLabHost $lab $b
            Start-SshTestLabHost $lab $b
        }

        It 'completes every item exactly once, the cut-off items again on the other host' {
            $flag = Join-Path $lab.Root 'kill-b'
            $log = Join-Path $lab.Root 'killed.jsonl'
            # A watcher outside the lab takes host b down (sshd, sessions, remote pwsh) while b runs an item.
            $watcher = Start-LabWatcher $lab $flag $b
            try {
                $results = 1..24 | Invoke-ParallelJob @remote -ThrottleLimit 2 -AsResult -LogPath $log {
                    if ($_ -ge 6 -and $env:PJLAB_HOST -eq 'b') { $null = New-Item -ItemType File -Path $using:flag -ErrorAction Ignore }
                    Start-Sleep -Milliseconds 400
                    $_ * 10
                } -WarningVariable warnings 3>$null
            }
            finally {
                if (-not $watcher.HasExited) { $watcher.Kill() }
            }

            $results.Index | Should -Be (0..23)
            $results.Status | Sort-Object -Unique | Should -Be 'Completed'
            $results.Output | Should -Be (1..24 | ForEach-Object { $_ * 10 })
            @($results | Where-Object Attempts -ge 2).Count | Should -BeGreaterThan 0
            $results[-1].Host | Should -Be $a.Name
            @($warnings | Where-Object { "$_" -like "Host '$($b.Name)' was lost during the run*" }).Count | Should -Be 1

            $logged = Get-Content $log | Select-Object -Skip 1 | ConvertFrom-Json
            @($logged | Where-Object status -eq 'Completed').Count | Should -Be 24
            @($logged.key | Sort-Object -Unique).Count | Should -Be 24
        }
    }

    Context 'Every host lost' {
        BeforeEach {
            # These cases time a host's failure against the connections a run opens itself; sessions kept warm
            # by earlier calls (tested in 'Warm sessions across calls') would change when each host starts.
            Clear-ParallelJobPool
        }

        AfterEach {
            Stop-SshTestLabHost $lab $a
            Start-SshTestLabHost $lab $a
        }

        It 'stops with an error that counts the items not done, and -Resume does only those' {
            $flag = Join-Path $lab.Root 'kill-a'
            $log = Join-Path $lab.Root 'all-lost.jsonl'
            $job = {
                if ($_ -eq 4) { $null = New-Item -ItemType File -Path $using:flag -ErrorAction Ignore }
                Start-Sleep -Milliseconds 300
                "done $_"
            }
            $watcher = Start-LabWatcher $lab $flag $a
            $thrown = $null
            try {
                $first = 1..10 | Invoke-ParallelJob -HostName $a.Name -UserName root -KeyFilePath $lab.KeyFile -Options $options -ThrottleLimit 1 -LogPath $log $job -OutVariable first 3>$null
            }
            catch { $thrown = $_ }
            finally {
                if (-not $watcher.HasExited) { $watcher.Kill() }
            }

            $thrown.FullyQualifiedErrorId | Should -BeLike 'AllHostsLost*'
            "$thrown" -match '(\d+) items were not done' | Should -BeTrue
            $notDone = [int]$Matches[1]
            $notDone | Should -BeGreaterThan 0
            $notDone | Should -Be (10 - @($first).Count)

            Start-SshTestLabHost $lab $a
            $second = 1..10 | Invoke-ParallelJob -HostName $a.Name -UserName root -KeyFilePath $lab.KeyFile -Options $options -ThrottleLimit 1 -LogPath $log -Resume -AsResult $job

            $second.Output | Should -Be (1..10 | ForEach-Object { "done $_" })
            @($second | Where-Object Host -eq $a.Name).Count | Should -Be $notDone
        }
    }
}
