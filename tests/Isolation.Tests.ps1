# Every item starts as if it had a runspace of its own: the caller's location, no variable, function, alias
# or module that an earlier item (or an earlier call through the warm pool) left, and the caller's
# preferences. Compared with ForEach-Object -Parallel where it has the behaviour.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    $leakModule = Join-Path $TestDrive 'IsoLeak.psm1'
    Set-Content -Path $leakModule -Value 'function Get-IsoLeak { "leaked" }'
}

AfterAll {
    Clear-ParallelJobPool
}

Describe 'Isolation between items' {
    BeforeEach {
        Push-Location $TestDrive
        Clear-ParallelJobPool
    }

    AfterEach {
        Pop-Location
    }

    It 'starts every item in the caller''s location, as ForEach-Object -Parallel does' {
        $here = "$PWD"
        $pj = 1..4 | Invoke-ParallelJob -ThrottleLimit 1 { "$PWD"; Set-Location / }
        $fep = 1..4 | ForEach-Object -ThrottleLimit 1 -Parallel { "$PWD"; Set-Location / }
        $pj | Should -Be @($here, $here, $here, $here)
        $pj | Should -Be $fep
    }

    It 'starts every batched item in the caller''s location' {
        $here = (Get-Location).Path
        $seen = 1..100 | Invoke-ParallelJob -ThrottleLimit 1 { (Get-Location).Path; if ($_ % 10 -eq 0) { Set-Location / } }
        $seen.Count | Should -Be 100
        @($seen | Where-Object { $_ -ne $here }).Count | Should -Be 0
    }

    It 'keeps global and script variables that one item sets from the next, as ForEach-Object -Parallel does' {
        $script = { "[$global:isoG|$script:isoS]"; $global:isoG = $_; $script:isoS = $_ }
        $pj = 1..4 | Invoke-ParallelJob -ThrottleLimit 1 $script
        $fep = 1..4 | ForEach-Object -ThrottleLimit 1 -Parallel $script
        $pj | Should -Be @('[|]', '[|]', '[|]', '[|]')
        $pj | Should -Be $fep
    }

    It 'keeps a variable an item sets in its parent scope from the next' {
        1..3 | Invoke-ParallelJob -ThrottleLimit 1 { "[$isoP]"; Set-Variable -Scope 1 -Name isoP -Value $_ } | Should -Be @('[]', '[]', '[]')
    }

    It 'keeps variables from batched items, in either batch path' {
        $simple = 1..300 | Invoke-ParallelJob -ThrottleLimit 1 { if ($global:isoSeen) { 'leak' }; $global:isoSeen = $_ }
        $general = 1..300 | Invoke-ParallelJob -ThrottleLimit 1 { function f { $_ }; if ($global:isoSeen2) { 'leak' }; $global:isoSeen2 = f }
        @($simple).Count | Should -Be 0
        @($general).Count | Should -Be 0
    }

    It 'puts back a -Variable value or a preference that an item changed globally' {
        $VerbosePreference = 'Continue'
        $seen = 1..3 | Invoke-ParallelJob -ThrottleLimit 1 -Variable @{ Shared = 'orig' } {
            "$Shared $VerbosePreference $ErrorActionPreference"
            $global:Shared = 'changed'; $global:VerbosePreference = 'Stop'; $global:ErrorActionPreference = 'Stop'
        }
        $seen | Should -Be @('orig Continue Continue', 'orig Continue Continue', 'orig Continue Continue')
    }

    It 'does not keep functions, aliases or modules an item defines, as ForEach-Object -Parallel -UseNewRunspace does' {
        $script = {
            '{0}|{1}|{2}' -f [bool](Get-Command Get-IsoLeak -ErrorAction Ignore), [bool](Get-Alias isoleak -ErrorAction Ignore), [bool](Get-Command Get-IsoFunction -ErrorAction Ignore)
            Import-Module $using:leakModule
            Set-Alias -Name isoleak -Value Get-Date -Scope Global
            function global:Get-IsoFunction { 'f' }
        }
        $pj = 1..3 | Invoke-ParallelJob -ThrottleLimit 1 $script
        $fep = 1..3 | ForEach-Object -ThrottleLimit 1 -UseNewRunspace -Parallel $script
        $pj | Should -Be @('False|False|False', 'False|False|False', 'False|False|False')
        $pj | Should -Be $fep
    }

    It 'puts back a -Function function that an item redefined globally' {
        function Format-IsoItem { "item $args" }
        $seen = 1..3 | Invoke-ParallelJob -ThrottleLimit 1 -Function Format-IsoItem { Format-IsoItem $_; function global:Format-IsoItem { 'changed' } }
        $seen | Should -Be @('item 1', 'item 2', 'item 3')
    }

    It 'does not keep functions or modules from batched items' {
        $seen = 1..200 | Invoke-ParallelJob -ThrottleLimit 1 {
            # Test-Path, not Get-Command: a command not found makes PowerShell search every module path.
            if ((Test-Path function:Get-IsoLeak) -or (Test-Path function:Get-IsoFunction2)) { 'leak' }
            if ($_ % 50 -eq 0) { Import-Module $using:leakModule; function global:Get-IsoFunction2 { } }
        }
        @($seen).Count | Should -Be 0
    }
}

Describe 'Isolation after items that call commands, batched and not' {
    # A script with no command, scoped variable or reflection skips the check between items; these scripts
    # change the global state only through commands, so they must still be checked after every item.
    BeforeEach {
        Push-Location $TestDrive
        Clear-ParallelJobPool
    }

    AfterEach {
        Pop-Location
    }

    It 'undoes <Name> after each item with -BatchSize <Batch>' -ForEach @(
        foreach ($batch in 1, 50) {
            @{ Batch = $batch; Name = 'Set-Location'; Script = { "$PWD"; Set-Location / } }
            @{ Batch = $batch; Name = 'Set-Variable -Scope Global'; Script = { "[$isoSv]"; Set-Variable -Name isoSv -Value $_ -Scope Global } }
            @{ Batch = $batch; Name = 'function global:'; Script = { [string](Test-Path function:Get-IsoGlobalF); function global:Get-IsoGlobalF { } } }
            @{ Batch = $batch; Name = 'Import-Module'; Script = { [string](Test-Path function:Get-IsoLeak); Import-Module $using:leakModule } }
        }
    ) {
        $first = & { $here = "$PWD"; switch ($Name) { 'Set-Location' { $here } 'Set-Variable -Scope Global' { '[]' } default { 'False' } } }
        $seen = 1..100 | Invoke-ParallelJob -ThrottleLimit 1 -BatchSize $Batch $Script
        $seen.Count | Should -Be 100
        @($seen | Where-Object { $_ -ne $first }).Count | Should -Be 0
    }

    It 'checks after a changing item even when the next script cannot change anything' {
        $here = "$PWD"
        $calls = foreach ($i in 1..20) { { Set-Location /; 'moved' }; { "$PWD" } }
        $seen = $calls | Invoke-ParallelJob -ThrottleLimit 1
        @($seen | Where-Object { $_ -ne 'moved' -and $_ -ne $here }).Count | Should -Be 0
        @($seen | Where-Object { $_ -eq $here }).Count | Should -Be 20
    }

    It 'keeps $Error empty for each item after one that threw, batched and not' {
        foreach ($batch in 1, 50) {
            $seen = 1..60 | Invoke-ParallelJob -ThrottleLimit 1 -BatchSize $batch -ErrorAction SilentlyContinue { $Error.Count; if ($_ % 3 -eq 0) { 1 / ($_ - $_) } }
            @($seen | Where-Object { $_ -ne 0 }).Count | Should -Be 0
        }
    }
}

Describe 'Isolation across calls through the warm pool' {
    BeforeEach {
        Clear-ParallelJobPool
    }

    It 'gives a later call none of the variables, functions, aliases, modules or location an earlier one left' {
        $here = "$PWD"
        $first = { Import-Module $using:leakModule; Set-Alias -Name isoleak2 -Value Get-Date -Scope Global; function global:Get-IsoLeft { }; $global:isoLeft = 1; Set-Location /; 'done' }
        $check = { '{0}|{1}|{2}|{3}|{4}' -f [bool](Get-Command Get-IsoLeak -ErrorAction Ignore), [bool](Get-Alias isoleak2 -ErrorAction Ignore), [bool](Get-Command Get-IsoLeft -ErrorAction Ignore), [bool]$global:isoLeft, "$PWD" }
        1 | Invoke-ParallelJob -ThrottleLimit 1 $first | Should -Be 'done'
        $pj = 1..2 | Invoke-ParallelJob -ThrottleLimit 1 $check
        1 | ForEach-Object -ThrottleLimit 1 -Parallel $first | Should -Be 'done'
        $fep = 1..2 | ForEach-Object -ThrottleLimit 1 -Parallel $check
        $pj | Should -Be @("False|False|False|False|$here", "False|False|False|False|$here")
        # ForEach-Object -Parallel's runspaces are new per call: the same for variables and location.
        $fep | Should -Be $pj
    }
}

Describe 'Preferences' {
    It 'gives each item the caller''s preferences, $WhatIfPreference and $ConfirmPreference included' {
        & {
            $WhatIfPreference = $true
            $ConfirmPreference = 'Low'
            $DebugPreference = 'Continue'
            1..2 | Invoke-ParallelJob -ThrottleLimit 1 { "$WhatIfPreference $ConfirmPreference $DebugPreference"; $global:WhatIfPreference = $false; $global:ConfirmPreference = 'High' }
        } | Should -Be @('True Low Continue', 'True Low Continue')
    }

    It 'is not broken by an invalid preference value in the caller, as ForEach-Object -Parallel is not' {
        & {
            $VerbosePreference = 'Invalid'
            $WarningPreference = 42
            $pj = 1..3 | Invoke-ParallelJob { $_ * 2 }
            $fep = 1..3 | ForEach-Object -Parallel { $_ * 2 } | Sort-Object
            $pj | Should -Be @(2, 4, 6)
            $pj | Should -Be $fep
        }
    }

    It 'treats an invalid preference as PowerShell''s default for it' {
        & {
            $VerbosePreference = 'Invalid'
            1 | Invoke-ParallelJob { "$VerbosePreference" }
        } | Should -Be 'SilentlyContinue'
    }
}
