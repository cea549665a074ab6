# Invoke-ParallelJob as a user types it: ordering, streaming, throttling, state, streams, failures,
# stopping, runspace hygiene, bad input and help.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force

    # Every worker runspace the module opens is named ParallelJobs<N>.
    function Get-WorkerRunspace { @(Get-Runspace | Where-Object Name -like 'ParallelJobs*') }

    function Get-OtherRunspaceCount { @(Get-Runspace | Where-Object Name -notlike 'ParallelJobs*').Count }

    # Waits (bounded) until $Condition is true; returns whether it became true.
    function Wait-Until([scriptblock] $Condition, [double] $TimeoutSeconds = 30) {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        while ($watch.Elapsed.TotalSeconds -lt $TimeoutSeconds) {
            if (& $Condition) { return $true }
            Start-Sleep -Milliseconds 50
        }
        return [bool](& $Condition)
    }
}

AfterAll {
    Clear-ParallelJobPool
}

Describe 'Invoke-ParallelJob' {
    Context 'ordering under random durations' {
        It 'writes the same output as a sequential ForEach-Object' {
            $expected = 1..100 | ForEach-Object { "item $_" }

            $actual = 1..100 | Invoke-ParallelJob -ThrottleLimit 8 { Start-Sleep -Milliseconds (Get-Random -Minimum 0 -Maximum 51); "item $_" }

            $actual | Should -Be $expected
        }

        It 'returns the same set with -Unordered' {
            $actual = 1..100 | Invoke-ParallelJob -ThrottleLimit 8 -Unordered { Start-Sleep -Milliseconds (Get-Random -Minimum 0 -Maximum 51); $_ * 2 }

            $actual.Count | Should -Be 100
            $actual | Sort-Object | Should -Be (1..100 | ForEach-Object { $_ * 2 })
        }
    }

    Context 'streaming' {
        It 'writes the first result while the input is still being produced' {
            $state = [hashtable]::Synchronized(@{ UpstreamDone = $false; UpstreamDoneAtFirstResult = $null; Produced = 0 })

            # The upstream keeps producing until the first result has come out (bounded to 2000 items).
            $results = & {
                for ($i = 1; $i -le 2000 -and $null -eq $state.UpstreamDoneAtFirstResult; $i++) {
                    $state.Produced = $i
                    $i
                    Start-Sleep -Milliseconds 5
                }
                $state.UpstreamDone = $true
            } | Invoke-ParallelJob { $_ * 10 } | ForEach-Object {
                if ($null -eq $state.UpstreamDoneAtFirstResult) { $state.UpstreamDoneAtFirstResult = $state.UpstreamDone }
                $_
            }

            $state.UpstreamDoneAtFirstResult | Should -BeFalse -Because 'the first result must arrive before the upstream finishes'
            $state.Produced | Should -BeLessThan 2000
            $results | Should -Be (1..$state.Produced | ForEach-Object { $_ * 10 })
        }
    }

    Context 'backpressure and early stop' {
        It 'Select-Object -First 3 returns 1, 2, 3' {
            $actual = 1..1000000 | Invoke-ParallelJob { $_ } | Select-Object -First 3

            $actual | Should -Be 1, 2, 3
        }

        It 'stops reading the input early and starts no item after the stop' {
            $produced = @{ Count = 0 }
            $started = [System.Collections.Concurrent.ConcurrentBag[int]]::new()

            $actual = 1..1000000 | ForEach-Object { $produced.Count++; $_ } |
                Invoke-ParallelJob { ($using:started).Add($_); $_ } |
                Select-Object -First 3

            $actual | Should -Be 1, 2, 3
            $produced.Count | Should -BeLessThan 20000 -Because 'input is read only a bounded number of items ahead'
            $startedAtStop = $started.Count
            $startedAtStop | Should -BeLessOrEqual $produced.Count
            Start-Sleep -Milliseconds 500
            $started.Count | Should -Be $startedAtStop -Because 'no item starts after the pipeline stopped'
        }
    }

    Context 'ThrottleLimit' {
        BeforeAll {
            # Each item enters, records how many items run at that moment, and waits (bounded) until the
            # expected number run at once, so the peak is reached however slow the machine is.
            $measure = {
                $running = $using:running
                $peaks = $using:peaks
                $limit = $using:limit
                $null = $running.TryAdd($_, $true)
                $peaks.Add($running.Count)
                $deadline = [DateTime]::UtcNow.AddSeconds(20)
                while ($running.Count -lt $limit -and [DateTime]::UtcNow -lt $deadline) {
                    $peaks.Add($running.Count)
                    Start-Sleep -Milliseconds 10
                }
                Start-Sleep -Milliseconds 30
                $peaks.Add($running.Count)
                $null = $running.TryRemove($_, [ref]$null)
                $_
            }
        }

        BeforeEach {
            $running = [System.Collections.Concurrent.ConcurrentDictionary[int, bool]]::new()
            $peaks = [System.Collections.Concurrent.ConcurrentBag[int]]::new()
        }

        It 'runs at most -ThrottleLimit items at once' {
            $limit = 3

            $actual = 1..12 | Invoke-ParallelJob -ThrottleLimit 3 -ScriptBlock $measure

            $actual | Should -Be (1..12)
            ($peaks | Measure-Object -Maximum).Maximum | Should -Be 3
        }

        It 'defaults to 5, as ForEach-Object -Parallel does' {
            $limit = 5

            $actual = 1..($limit * 3) | Invoke-ParallelJob -ScriptBlock $measure

            $actual | Should -Be (1..($limit * 3))
            ($peaks | Measure-Object -Maximum).Maximum | Should -Be $limit
        }

        It 'runs a ForEach-Object -Parallel line with only the command name changed (-Parallel alias)' {
            # The same line both ways; ForEach-Object -Parallel writes in completion order, so compare as sets,
            # and check that Invoke-ParallelJob keeps input order.
            $line = '1..12 | {0} -Parallel {{ Start-Sleep -Milliseconds (Get-Random -Maximum 40); "$_=$([math]::Sqrt($_))" }} -ThrottleLimit 5 -TimeoutSeconds 60'
            $expected = & ([scriptblock]::Create(($line -f 'ForEach-Object')))
            $actual = & ([scriptblock]::Create(($line -f 'Invoke-ParallelJob')))

            @($actual).Count | Should -Be 12
            @($actual | Sort-Object) | Should -Be @($expected | Sort-Object)
            $actual | Should -Be (1..12 | ForEach-Object { "$_=$([math]::Sqrt($_))" })
            (Get-Command Invoke-ParallelJob).Parameters['ScriptBlock'].Aliases | Should -Contain 'Parallel'
        }

        It 'converts an -AsJob -UseNewRunspace line the same way' {
            $line = '1..6 | {0} -Parallel {{ $_ * 3 }} -ThrottleLimit 2 -UseNewRunspace -AsJob'
            $fepJob = & ([scriptblock]::Create(($line -f 'ForEach-Object')))
            $pjJob = & ([scriptblock]::Create(($line -f 'Invoke-ParallelJob')))
            try {
                $expected = $fepJob | Receive-Job -Wait
                $actual = $pjJob | Receive-Job -Wait

                $pjJob | Should -BeOfType ([System.Management.Automation.Job])
                @($actual | Sort-Object) | Should -Be @($expected | Sort-Object)
                $actual | Should -Be (3, 6, 9, 12, 15, 18)
            }
            finally {
                $fepJob, $pjJob | Remove-Job -Force
            }
        }

        It 'refuses -ThrottleLimit 0 with a parameter validation error' {
            { 1..3 | Invoke-ParallelJob -ThrottleLimit 0 { $_ } } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        }
    }

    Context 'isolation' {
        It 'does not show a variable set by one item to the next' {
            $actual = 1..5 | Invoke-ParallelJob -ThrottleLimit 1 {
                "$([runspace]::DefaultRunspace.Id) [$leftover]"
                $leftover = $_
            }

            $ids = $actual | ForEach-Object { ($_ -split ' ')[0] } | Select-Object -Unique
            @($ids).Count | Should -Be 1 -Because 'with -ThrottleLimit 1 every item runs on the same runspace'
            $actual | ForEach-Object { ($_ -split ' ')[1] } | Should -Be @('[]', '[]', '[]', '[]', '[]')
        }

        It 'runs each item in its own runspace with -UseNewRunspace' {
            $ids = 1..6 | Invoke-ParallelJob -UseNewRunspace -ThrottleLimit 2 { [runspace]::DefaultRunspace.Id }

            @($ids).Count | Should -Be 6
            @($ids | Select-Object -Unique).Count | Should -Be 6
        }

        It "starts workers in the caller's current location" {
            $dir = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'location test')
            Push-Location $dir.FullName
            try {
                $actual = 1..4 | Invoke-ParallelJob -ThrottleLimit 2 { (Get-Location).Path }
            }
            finally {
                Pop-Location
            }

            $actual | Should -Be (@($dir.FullName) * 4)
        }

        It "starts a new runspace per item in the caller's location, whether or not that is the process's directory" {
            $dir = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'fresh [1]')
            $processDir = [Environment]::CurrentDirectory
            Push-Location -LiteralPath $dir.FullName
            try {
                $there = 1..3 | Invoke-ParallelJob -UseNewRunspace -ThrottleLimit 2 { (Get-Location).Path; $PWD.Path }
            }
            finally {
                Pop-Location
            }

            Push-Location $processDir
            try {
                $home_ = 1..3 | Invoke-ParallelJob -UseNewRunspace -ThrottleLimit 2 { (Get-Location).Path; $PWD.Path }
            }
            finally {
                Pop-Location
            }

            $there | Should -Be (@($dir.FullName) * 6)
            $home_ | Should -Be (@($processDir) * 6)
        }

        It "starts a reused runspace in the caller's location even after an item moved it" {
            $dir = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'caller here')
            $elsewhere = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'moved there')
            Push-Location $dir.FullName
            try {
                $null = 1..2 | Invoke-ParallelJob -ThrottleLimit 2 { Set-Location $using:elsewhere }
                $actual = 1..2 | Invoke-ParallelJob -ThrottleLimit 2 { (Get-Location).Path }
            }
            finally {
                Pop-Location
            }

            $actual | Should -Be (@($dir.FullName) * 2)
        }
    }

    Context 'state' {
        It 'passes $using: variables' {
            $factor = 3

            1..3 | Invoke-ParallelJob { $_ * $using:factor } | Should -Be 3, 6, 9
        }

        It 'binds -ArgumentList to param() while $_ stays the item' {
            $actual = 1..3 | Invoke-ParallelJob -ArgumentList 10, 'x' { param($offset, $tag) "$tag$($_ + $offset)" }

            $actual | Should -Be 'x11', 'x12', 'x13'
        }

        It '-Variable defines caller variables given by name' {
            $Prefix = '>'
            $Suffix = '<'

            1..2 | Invoke-ParallelJob -Variable Prefix, Suffix { "$Prefix$_$Suffix" } | Should -Be '>1<', '>2<'
        }

        It '-Variable defines variables given as a hashtable' {
            1..2 | Invoke-ParallelJob -Variable @{ Prefix = '#'; Count = 7 } { "$Prefix$($_ * $Count)" } | Should -Be '#7', '#14'
        }

        It "-Function defines the caller's functions" {
            function Format-Item { param($x) "item <$x>" }

            1..2 | Invoke-ParallelJob -Function Format-Item { Format-Item $_ } | Should -Be 'item <1>', 'item <2>'
        }

        It '-Module imports a module once per runspace, not once per item' {
            $modulePath = Join-Path $TestDrive 'PJCounter.psm1'
            Set-Content -Path $modulePath -Value @'
$global:PJCounterImports = 1 + [int]$global:PJCounterImports
$script:ImportId = [guid]::NewGuid().ToString()
function Get-PJImport { '{0} {1} {2}' -f [runspace]::DefaultRunspace.Id, $global:PJCounterImports, $script:ImportId }
'@

            $actual = 1..20 | Invoke-ParallelJob -ThrottleLimit 2 -Module $modulePath { Get-PJImport }

            @($actual).Count | Should -Be 20
            $rows = $actual | ForEach-Object { $id, $imports, $importId = $_ -split ' '; [pscustomobject]@{ Runspace = $id; Imports = $imports; ImportId = $importId } }
            $rows.Imports | Select-Object -Unique | Should -Be '1' -Because 'each runspace imported the module exactly once'
            $runspaces = @($rows.Runspace | Select-Object -Unique)
            $runspaces.Count | Should -BeLessOrEqual 2
            @($rows.ImportId | Select-Object -Unique).Count | Should -Be $runspaces.Count
        }

        It '-InitializationScript runs once per runspace' {
            $actual = 1..20 | Invoke-ParallelJob -ThrottleLimit 2 -InitializationScript {
                $global:InitRuns = 1 + [int]$global:InitRuns
                $global:InitId = [guid]::NewGuid().ToString()
            } { '{0} {1} {2}' -f [runspace]::DefaultRunspace.Id, $InitRuns, $InitId }

            @($actual).Count | Should -Be 20
            $rows = $actual | ForEach-Object { $id, $runs, $initId = $_ -split ' '; [pscustomobject]@{ Runspace = $id; Runs = $runs; InitId = $initId } }
            $rows.Runs | Select-Object -Unique | Should -Be '1'
            $runspaces = @($rows.Runspace | Select-Object -Unique)
            $runspaces.Count | Should -BeLessOrEqual 2
            @($rows.InitId | Select-Object -Unique).Count | Should -Be $runspaces.Count
        }
    }

    Context 'heterogeneous calls' {
        It 'runs piped script blocks and New-ParallelCall objects without -ScriptBlock' {
            $n = 5
            $calls = @(
                { 'one' }
                (New-ParallelCall { param($x, $y) $x * $y } 3 4)
                { $using:n * 2 }
                (New-ParallelCall -ScriptBlock { param($s) $s.ToUpper() } -ArgumentList 'abc')
            )

            $calls | Invoke-ParallelJob | Should -Be 'one', 12, 10, 'ABC'
        }

        It 'writes InputNotRunnable for an input that is not runnable and runs the others' {
            $actual = { 1 }, 'not a call', { 3 } | Invoke-ParallelJob -ErrorVariable failures -ErrorAction SilentlyContinue

            $actual | Should -Be 1, 3
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'InputNotRunnable*'
            $failures[0].TargetObject | Should -Be 'not a call'
        }
    }

    Context 'streams' {
        It 'writes item errors to the caller with the item as their ParallelJobItem' {
            $actual = 1..3 | Invoke-ParallelJob { if ($_ -eq 2) { Write-Error "bad $_" }; $_ } -ErrorVariable failures -ErrorAction SilentlyContinue

            $actual | Should -Be 1, 2, 3
            $failures.Count | Should -Be 1
            $failures[0].Exception.Message | Should -Be 'bad 2'
            $failures[0].ParallelJobItem | Should -BeOfType ParallelJobs.ParallelJobItem
            $failures[0].ParallelJobItem.Index | Should -Be 1
            $failures[0].ParallelJobItem.Input | Should -Be 2
        }

        It 'writes errors to the error stream, where 2>&1 catches them in order' {
            $all = 1..3 | Invoke-ParallelJob { if ($_ -eq 2) { Write-Error "bad $_" }; $_ } -ErrorAction Continue 2>&1

            $all.Count | Should -Be 4
            $all[0] | Should -Be 1
            $all[1] | Should -BeOfType System.Management.Automation.ErrorRecord
            $all[1].ParallelJobItem.Input | Should -Be 2
            $all[2..3] | Should -Be 2, 3
        }

        It 'writes warnings to the caller and -WarningVariable collects them' {
            $all = 1..2 | Invoke-ParallelJob { Write-Warning "careful $_"; $_ } -WarningVariable warnings 3>&1

            $warnings.Message | Should -Be 'careful 1', 'careful 2'
            $all[0] | Should -BeOfType System.Management.Automation.WarningRecord
            $all | Where-Object { $_ -isnot [System.Management.Automation.WarningRecord] } | Should -Be 1, 2
        }

        It '-WarningVariable collects warnings that -WarningAction SilentlyContinue hides' {
            $actual = 1..2 | Invoke-ParallelJob { Write-Warning "careful $_"; $_ } -WarningVariable warnings -WarningAction SilentlyContinue 3>&1

            $actual | Should -Be 1, 2 -Because 'SilentlyContinue shows no warning'
            $warnings.Message | Should -Be 'careful 1', 'careful 2'
        }

        It 'writes verbose records only with -Verbose' {
            $with = 1 | Invoke-ParallelJob { Write-Verbose "detail $_" } -Verbose 4>&1
            $without = 1 | Invoke-ParallelJob { Write-Verbose "detail $_" } 4>&1

            $with | Should -BeOfType System.Management.Automation.VerboseRecord
            $with.Message | Should -Be 'detail 1'
            $without | Should -BeNullOrEmpty
        }

        It 'writes debug records with -Debug' {
            $with = 1 | Invoke-ParallelJob { Write-Debug "debug $_" } -Debug 5>&1
            $without = 1 | Invoke-ParallelJob { Write-Debug "debug $_" } 5>&1

            $with | Should -BeOfType System.Management.Automation.DebugRecord
            $with.Message | Should -Be 'debug 1'
            $without | Should -BeNullOrEmpty
        }

        It 'writes information records with -InformationAction Continue and to -InformationVariable' {
            $shown = 1 | Invoke-ParallelJob { Write-Information "info $_" } -InformationAction Continue 6>&1
            $null = 1..2 | Invoke-ParallelJob { Write-Information "info $_"; Write-Host "host $_" } -InformationVariable infos 6>$null

            $shown | Should -BeOfType System.Management.Automation.InformationRecord
            "$shown" | Should -Be 'info 1'
            $infos | ForEach-Object { "$_" } | Should -Be 'info 1', 'host 1', 'info 2', 'host 2'
        }

        It 'accepts Write-Progress without an error' {
            $actual = 1..3 | Invoke-ParallelJob { Write-Progress -Activity 'work' -Status "item $_" -PercentComplete 50; $_ } -ErrorVariable failures

            $actual | Should -Be 1, 2, 3
            $failures | Should -BeNullOrEmpty
        }

        It 'supports -OutVariable' {
            $null = 1..3 | Invoke-ParallelJob { $_ * 2 } -OutVariable collected

            @($collected) | Should -Be 2, 4, 6
        }

        It 'supports -PipelineVariable' {
            $actual = 1..3 | Invoke-ParallelJob { $_ * 2 } -PipelineVariable doubled | ForEach-Object { "$doubled/$_" }

            $actual | Should -Be '2/2', '4/4', '6/6'
        }
    }

    Context 'failures' {
        It 'goes on after one item throws, and keeps the others in order' {
            $actual = 1..6 | Invoke-ParallelJob -ThrottleLimit 3 { Start-Sleep -Milliseconds (Get-Random -Maximum 30); if ($_ -eq 3) { throw "boom $_" }; $_ } -ErrorVariable failures -ErrorAction SilentlyContinue

            $actual | Should -Be 1, 2, 4, 5, 6
            $failures.Count | Should -Be 1
            $failures[0].Exception.Message | Should -Be 'boom 3'
            $failures[0].ParallelJobItem.Index | Should -Be 2
            $failures[0].ParallelJobItem.Input | Should -Be 3
        }

        It 'keeps the output an item wrote before it threw' {
            $actual = 1..3 | Invoke-ParallelJob { "before $_"; if ($_ -eq 2) { throw 'x' }; "after $_" } -ErrorAction SilentlyContinue

            $actual | Should -Be 'before 1', 'after 1', 'before 2', 'before 3', 'after 3'
        }

        It '-ErrorAction Stop stops the run, keeps earlier results and throws the error' {
            $started = [System.Collections.Concurrent.ConcurrentBag[int]]::new()
            $written = [System.Collections.Generic.List[object]]::new()
            $caught = $null

            try {
                1..50 | Invoke-ParallelJob -ThrottleLimit 2 -ErrorAction Stop {
                    ($using:started).Add($_)
                    if ($_ -eq 3) { throw "bad item $_" }
                    Start-Sleep -Milliseconds 100
                    $_
                } | ForEach-Object { $written.Add($_) }
            }
            catch {
                $caught = $_
            }

            $caught | Should -Not -BeNullOrEmpty
            $caught.Exception.Message | Should -Match 'bad item 3'
            $written | Should -Be 1, 2
            $startedAtThrow = $started.Count
            ($started | Measure-Object -Maximum).Maximum | Should -BeLessThan 10 -Because 'items after the failure never start'
            Start-Sleep -Milliseconds 300
            $started.Count | Should -Be $startedAtThrow
        }
    }

    Context 'Ctrl+C' {
        It 'stops items running <Name> and leaves no worker busy' -ForEach @(
            @{ Name = 'Start-Sleep 3600'; Body = 'Start-Sleep 3600' }
            @{ Name = 'a tight loop'; Body = 'while ($true) {}' }
        ) {
            Clear-ParallelJobPool
            $module = $env:PARALLELJOBS_MODULE
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript("Import-Module '$module'; 1..10 | Invoke-ParallelJob -ThrottleLimit 10 { $Body }")
                $null = $ps.BeginInvoke()
                $running = Wait-Until { @(Get-WorkerRunspace | Where-Object RunspaceAvailability -eq 'Busy').Count -ge 10 } -TimeoutSeconds 60
                $running | Should -BeTrue -Because 'ten items should be running'

                $stop = $ps.BeginStop($null, $null)
                $stop.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(30)) | Should -BeTrue -Because 'Stop() must return'
                $ps.EndStop($stop)
                $ps.InvocationStateInfo.State | Should -Be 'Stopped'

                # Every worker runspace left must be idle, and kept by the pool (not a stray busy or orphaned one).
                $idle = Wait-Until {
                    $poolIds = @((Get-ParallelJobPool).Id)
                    @(Get-WorkerRunspace | Where-Object { $_.RunspaceAvailability -ne 'Available' -or $_.Id -notin $poolIds }).Count -eq 0
                } -TimeoutSeconds 10
                $idle | Should -BeTrue -Because 'no worker runspace may stay busy after the stop'
                Get-WorkerRunspace | Where-Object RunspaceAvailability -ne 'Available' | Should -BeNullOrEmpty
            }
            finally {
                $ps.Dispose()
            }

            Clear-ParallelJobPool
            Get-WorkerRunspace | Should -BeNullOrEmpty
        }
    }

    Context 'runspace leaks' {
        It 'leaves no runspace behind after <Name>' -ForEach @(
            @{ Name = 'a normal run'; Run = { 1..20 | Invoke-ParallelJob -ThrottleLimit 4 { $_ } } }
            @{ Name = 'an item error'; Run = { 1..20 | Invoke-ParallelJob -ThrottleLimit 4 -ErrorAction SilentlyContinue { if ($_ -eq 5) { throw 'bad' }; $_ } } }
            @{ Name = '-ErrorAction Stop'; Run = { try { 1..20 | Invoke-ParallelJob -ThrottleLimit 4 -ErrorAction Stop { if ($_ -eq 5) { throw 'bad' }; $_ } } catch { } } }
            @{ Name = 'Select-Object -First'; Run = { 1..100000 | Invoke-ParallelJob -ThrottleLimit 4 { $_ } | Select-Object -First 2 } }
            @{ Name = '-UseNewRunspace'; Run = { 1..10 | Invoke-ParallelJob -ThrottleLimit 4 -UseNewRunspace { $_ } } }
        ) {
            Clear-ParallelJobPool
            $before = Get-OtherRunspaceCount

            $null = & $Run

            Clear-ParallelJobPool
            Get-WorkerRunspace | Should -BeNullOrEmpty
            Get-OtherRunspaceCount | Should -Be $before
        }
    }

    Context 'bad input' {
        It '$null piped is one item with $_ = $null, and no error' {
            $actual = $null | Invoke-ParallelJob { "[$_]" } -ErrorVariable failures

            $actual | Should -Be '[]'
            $failures | Should -BeNullOrEmpty
        }

        It '-InputObject $null and an empty array run nothing' {
            $fromParameter = Invoke-ParallelJob -InputObject $null { 1 } -ErrorVariable failures1
            $fromEmpty = @() | Invoke-ParallelJob { 1 } -ErrorVariable failures2

            $fromParameter | Should -BeNullOrEmpty
            $fromEmpty | Should -BeNullOrEmpty
            $failures1 | Should -BeNullOrEmpty
            $failures2 | Should -BeNullOrEmpty
        }

        It 'runs $null items among others with $_ = $null' {
            1, $null, 3 | Invoke-ParallelJob { if ($null -eq $_) { 'null' } else { $_ } } | Should -Be 1, 'null', 3
        }

        It 'refuses a script block in $using: before anything runs' {
            $ran = [System.Collections.Concurrent.ConcurrentBag[int]]::new()
            $helper = { 'never' }

            { 1..3 | Invoke-ParallelJob { ($using:ran).Add($_); & $using:helper } } | Should -Throw -ErrorId 'UsingScriptBlockNotSupported,*'
            $ran.Count | Should -Be 0
        }

        It 'stops with one ModuleImportFailed error naming a missing module, before any item runs' {
            $ran = [System.Collections.Concurrent.ConcurrentBag[int]]::new()
            $caught = $null

            try {
                1..5 | Invoke-ParallelJob -ThrottleLimit 4 -Module NoSuchModuleForParallelJobsTests { ($using:ran).Add($_) } -ErrorVariable failures
            }
            catch {
                $caught = $_
            }

            $caught.FullyQualifiedErrorId | Should -BeLike 'ModuleImportFailed*'
            $caught.Exception.Message | Should -Match 'NoSuchModuleForParallelJobsTests'
            $failures.Count | Should -Be 1
            $ran.Count | Should -Be 0
        }

        It 'refuses a module path that does not exist with ModuleNotFound' {
            $missing = Join-Path $TestDrive 'missing/Nothing.psm1'

            { 1 | Invoke-ParallelJob -Module $missing { 1 } } | Should -Throw -ErrorId 'ModuleNotFound,*'
        }

        It 'refuses -Function of a missing function with FunctionNotFound' {
            { 1 | Invoke-ParallelJob -Function No-SuchFunctionHere { 1 } } | Should -Throw -ErrorId 'FunctionNotFound,*'
        }

        It 'refuses -Variable of a missing variable with VariableNotFound' {
            { 1 | Invoke-ParallelJob -Variable NoSuchVariableHere { 1 } } | Should -Throw -ErrorId 'VariableNotFound,*'
        }

        It 'refuses <Case> with RemoteParameterConflict, before connecting anywhere' -ForEach @(
            @{ Case = 'two remote targets'; Arguments = @{ HostName = 'host-a'; SSHConnection = @{ HostName = 'host-b' } }; Says = 'only one' }
            @{ Case = '-UserName without -HostName'; Arguments = @{ UserName = 'bob' }; Says = 'go with -HostName' }
            @{ Case = '-Port without -HostName'; Arguments = @{ Port = 2222; SSHConnection = @{ HostName = 'host-b' } }; Says = 'go with -HostName' }
            @{ Case = '-UseNewRunspace with a remote target'; Arguments = @{ HostName = 'host-a'; UseNewRunspace = $true }; Says = 'local runspaces' }
        ) {
            $ran = [System.Collections.Concurrent.ConcurrentBag[int]]::new()

            { 1..3 | Invoke-ParallelJob @Arguments { ($using:ran).Add($_) } } | Should -Throw -ErrorId 'RemoteParameterConflict,*' -ExpectedMessage "*$Says*"
            $ran.Count | Should -Be 0
        }
    }

    Context 'help' {
        BeforeAll {
            $help = Get-Help Invoke-ParallelJob -Full
        }

        It 'describes every parameter' {
            $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
            $names = (Get-Command Invoke-ParallelJob).Parameters.Keys | Where-Object { $_ -notin $common }
            $described = @{}
            foreach ($parameter in $help.parameters.parameter) {
                $described[$parameter.name] = ($parameter.description | Out-String).Trim()
            }

            foreach ($name in $names) {
                $described[$name] | Should -Not -BeNullOrEmpty -Because "-$name needs a description"
            }
        }

        It 'shows the local form and the three remote forms' {
            $forms = @($help.syntax.syntaxItem)
            $forms.Count | Should -Be 4
            $forms[0].parameter.name | Should -Contain 'UseNewRunspace'
            $forms[0].parameter.name | Should -Not -Contain 'HostName'
            foreach ($remote in 'HostName', 'SSHConnection', 'Session') {
                $form = $forms | Where-Object { $_.parameter.name -contains $remote }
                @($form).Count | Should -Be 1 -Because "one form runs on -$remote"
                ($form.parameter | Where-Object name -eq $remote).required | Should -Be 'true'
                $form.parameter.name | Should -Not -Contain 'UseNewRunspace'
            }
        }

        It 'has examples, one of them the seed example' {
            $examples = @($help.examples.example)
            $examples.Count | Should -BeGreaterThan 1
            $seed = $examples | Where-Object { $_.code -match '-ThrottleLimit 10\b' -and $_.code -match 'Start-Sleep\s+(-Milliseconds\s+500|(-Seconds\s+)?0\.5)\b' }
            @($seed).Count | Should -Be 1

            $output = & ([scriptblock]::Create($seed.code))
            @($output).Count | Should -Be 20 -Because 'the seed example runs 20 items'
        }
    }
}
