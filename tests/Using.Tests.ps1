# $using: in Invoke-ParallelJob behaves as in ForEach-Object -Parallel: each test runs the same script block
# through both and expects the same result (sorted where ForEach-Object -Parallel's order is not fixed).
BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
}

Describe '$using: belongs to the outermost script block' {
    It 'leaves a nested ForEach-Object -Parallel its own $using:' {
        $pj = 1..2 | Invoke-ParallelJob { $o = $_; 1..2 | ForEach-Object -Parallel { "$using:o.$_" } -ThrottleLimit 1 }
        $fe = 1..2 | ForEach-Object -Parallel { $o = $_; 1..2 | ForEach-Object -Parallel { "$using:o.$_" } -ThrottleLimit 1 } -ThrottleLimit 1
        $pj | Should -Be '1.1', '1.2', '2.1', '2.2'
        $pj | Should -Be $fe
    }

    It 'leaves a nested Invoke-ParallelJob its own $using:, three levels deep' {
        # Items that call Invoke-ParallelJob import the module under test ($env: is the process's, so every level sees it).
        $top = 'T'
        $pj = 1..2 | Invoke-ParallelJob -Module $env:PARALLELJOBS_MODULE {
            $a = "$using:top$_"
            1..2 | Invoke-ParallelJob -Module $env:PARALLELJOBS_MODULE {
                $b = "$using:a.$_"
                1..2 | Invoke-ParallelJob { "$using:b.$_" }
            }
        }
        $fe = 1..2 | ForEach-Object -ThrottleLimit 1 -Parallel {
            $a = "$using:top$_"
            1..2 | ForEach-Object -ThrottleLimit 1 -Parallel {
                $b = "$using:a.$_"
                1..2 | ForEach-Object -ThrottleLimit 1 -Parallel { "$using:b.$_" }
            }
        }
        $pj | Should -Be 'T1.1.1', 'T1.1.2', 'T1.2.1', 'T1.2.2', 'T2.1.1', 'T2.1.2', 'T2.2.1', 'T2.2.2'
        $pj | Should -Be $fe
    }

    # (The other way round, ForEach-Object -Parallel outside, PowerShell's own command reads every $using: under it
    # that no nested ForEach-Object -Parallel claims, Invoke-ParallelJob's too, so those must exist in its caller.)
    It 'mixes the two commands three levels deep: Invoke-ParallelJob outside' {
        $top = 'T'
        $pj = 1..2 | Invoke-ParallelJob {
            $a = "$using:top$_"
            1..2 | ForEach-Object -ThrottleLimit 1 -Parallel {
                $b = "$using:a.$_"
                1..2 | ForEach-Object -ThrottleLimit 1 -Parallel { "$using:b.$_" }
            }
        }
        $pj | Should -Be 'T1.1.1', 'T1.1.2', 'T1.2.1', 'T1.2.2', 'T2.1.1', 'T2.1.2', 'T2.2.1', 'T2.2.2'
    }

    It 'gives a Start-ThreadJob inside an item the item''s value' {
        $pj = 1..2 | Invoke-ParallelJob { $o = "v$_"; Start-ThreadJob { $using:o } | Receive-Job -Wait -AutoRemoveJob }
        $pj | Should -Be 'v1', 'v2'
        # ForEach-Object -Parallel gives the same when the caller happens to have an $o as well (it reads
        # the nested $using:o from the caller first, and stops when there is none; Invoke-ParallelJob does not).
        $o = 'caller'
        $fe = 1..2 | ForEach-Object -ThrottleLimit 1 -Parallel { $o = "v$_"; Start-ThreadJob { $using:o } | Receive-Job -Wait -AutoRemoveJob }
        $pj | Should -Be $fe
    }

    It 'gives a module-qualified ForEach-Object -Parallel alias its own $using:' {
        $pj = 1 | Invoke-ParallelJob { $o = 'inner'; 1 | % -Parallel { $using:o } }
        $pj | Should -Be 'inner'
    }

    It 'resolves a $using: in a nested non-parallel block from the caller: & { }' {
        $x = 'caller-x'
        $pj = 1 | Invoke-ParallelJob { $x = 'worker-x'; & { $using:x } }
        $fe = 1 | ForEach-Object -Parallel { $x = 'worker-x'; & { $using:x } }
        $pj | Should -Be 'caller-x'
        $pj | Should -Be $fe
    }

    It 'resolves a $using: in a local Invoke-Command from the caller' {
        $x = 'caller-x'
        $pj = 1 | Invoke-ParallelJob { $x = 'worker-x'; Invoke-Command { $using:x } }
        $fe = 1 | ForEach-Object -Parallel { $x = 'worker-x'; Invoke-Command { $using:x } }
        $pj | Should -Be 'caller-x'
        $pj | Should -Be $fe
    }

    It 'resolves a $using: in Where-Object and ForEach-Object (not -Parallel) from the caller' {
        $min = 2
        $pj = 1 | Invoke-ParallelJob { 1..4 | Where-Object { $_ -gt $using:min } | ForEach-Object { $_ * $using:min } }
        $fe = 1 | ForEach-Object -Parallel { 1..4 | Where-Object { $_ -gt $using:min } | ForEach-Object { $_ * $using:min } }
        $pj | Should -Be 6, 8
        $pj | Should -Be $fe
    }
}

Describe 'An undefined $using: variable' {
    It 'stops the call before any item runs, naming the variable' {
        $ran = [System.Collections.Concurrent.ConcurrentBag[int]]::new()
        $err = $null
        try { 1..3 | Invoke-ParallelJob { $null = ($using:ran).Add($_); "$using:tpyo/$_" } } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'UsingVariableIsUndefined,*'
        $err.Exception.Message | Should -BeLike '*$using:tpyo*'
        $err.TargetObject | Should -Be 'tpyo'
        $ran.Count | Should -Be 0

        { 1..3 | ForEach-Object -Parallel { "$using:tpyo/$_" } } | Should -Throw -ErrorId 'UsingVariableIsUndefined,*'
    }

    It 'stops the call in a property expression too' {
        { 1 | Invoke-ParallelJob { $using:nope.Count } } | Should -Throw -ErrorId 'UsingVariableIsUndefined,*'
        { 1 | ForEach-Object -Parallel { $using:nope.Count } } | Should -Throw -ErrorId 'UsingVariableIsUndefined,*'
    }

    It 'stops -Sequential and -AsJob calls too' {
        { 1 | Invoke-ParallelJob -Sequential { $using:nope } } | Should -Throw -ErrorId 'UsingVariableIsUndefined,*'
        { 1 | Invoke-ParallelJob -AsJob { $using:nope } } | Should -Throw -ErrorId 'UsingVariableIsUndefined,*'
    }

    It 'is fine for a variable that holds $null' {
        $n = $null
        1 | Invoke-ParallelJob { $null -eq $using:n } | Should -BeTrue
        1 | ForEach-Object -Parallel { $null -eq $using:n } | Should -BeTrue
    }

    It 'is not checked inside a nested parallel call, whose own variable it is' {
        1 | Invoke-ParallelJob { $inner = 'i'; 1 | ForEach-Object -Parallel { $using:inner } } | Should -Be 'i'
    }
}

Describe '$using: expressions' {
    BeforeAll {
        $script:cases = @(
            @{ Name = 'index'; Script = { $using:a[1] } }
            @{ Name = 'property'; Script = { $using:a.Count } }
            @{ Name = 'hashtable key'; Script = { $using:h.k } }
            @{ Name = 'in arithmetic'; Script = { $using:a.Length + $_ } }
            @{ Name = 'in a string'; Script = { "<$using:s>${using:s}s" } }
            @{ Name = 'subexpression'; Script = { $($using:a)[2] } }
            @{ Name = 'environment'; Script = { $using:env:PJ_USING_TEST } }
            @{ Name = 'missing environment variable'; Script = { $null -eq $using:env:PJ_USING_NOT_SET } }
            @{ Name = 'global scope'; Script = { $using:global:PJUsingGlobal } }
            @{ Name = 'same variable twice'; Script = { $using:s + $using:S + ${using:s} } }
        )
    }

    It 'gives the same as ForEach-Object -Parallel: <Name>' -ForEach @(
        @{ Name = 'index' }, @{ Name = 'property' }, @{ Name = 'hashtable key' }, @{ Name = 'in arithmetic' },
        @{ Name = 'in a string' }, @{ Name = 'subexpression' }, @{ Name = 'environment' },
        @{ Name = 'missing environment variable' }, @{ Name = 'global scope' }, @{ Name = 'same variable twice' }
    ) {
        $a = 10, 20, 30
        $h = @{ k = 'v' }
        $s = 'str'
        $env:PJ_USING_TEST = 'env-value'
        $global:PJUsingGlobal = 'g'
        $script = ($script:cases | Where-Object Name -EQ $Name).Script
        try {
            $pj = 1..2 | Invoke-ParallelJob $script
            $fe = 1..2 | ForEach-Object -ThrottleLimit 1 -Parallel $script
            $pj | Should -Not -BeNullOrEmpty
            $pj | Should -Be $fe
        }
        finally {
            Remove-Item Env:PJ_USING_TEST
            Remove-Variable PJUsingGlobal -Scope Global
        }
    }

    It 'reads a property in the caller, where the caller''s type data applies' {
        $o = [pscustomobject]@{ n = 3 }
        $o | Add-Member -MemberType ScriptProperty -Name Twice -Value { $this.n * 2 }
        1 | Invoke-ParallelJob { $using:o.Twice } | Should -Be 6
        1 | ForEach-Object -Parallel { $using:o.Twice } | Should -Be 6
    }

    It 'hands over a collection whole' {
        $list = [System.Collections.Generic.List[int]]::new()
        $list.Add(1); $list.Add(2)
        $pj = 1 | Invoke-ParallelJob { ($using:list).GetType().Name; $using:list.Count }
        $fe = 1 | ForEach-Object -Parallel { ($using:list).GetType().Name; $using:list.Count }
        $pj | Should -Be 'List`1', 2
        $pj | Should -Be $fe
    }
}

Describe 'Script blocks as data are refused' {
    It 'stops the call when a $using: variable holds a script block, as ForEach-Object -Parallel does' {
        $sb = { 'x' }
        { 1 | Invoke-ParallelJob { & $using:sb } } | Should -Throw -ErrorId 'UsingScriptBlockNotSupported,*'
        { 1 | ForEach-Object -Parallel { & $using:sb } } | Should -Throw -ErrorId 'ParallelUsingVariableCannotBeScriptBlock,*'
    }

    It 'stops the call when a $using: value holds a script block inside a hashtable' {
        $h = @{ Action = { 'x' } }
        { 1 | Invoke-ParallelJob { & $using:h.Action } } | Should -Throw -ErrorId 'UsingScriptBlockNotSupported,*'
        { 1 | Invoke-ParallelJob { $t = $using:h; & $t.Action } } | Should -Throw -ExpectedMessage "*['Action']*"
    }

    It 'stops the call for a script block in -Variable, also inside an array' {
        { 1 | Invoke-ParallelJob { & $f } -Variable @{ f = { 'x' } } } | Should -Throw -ErrorId 'ScriptBlockValueNotSupported,*'
        { 1 | Invoke-ParallelJob { $l } -Variable @{ l = @(1, { 'x' }) } } | Should -Throw -ExpectedMessage '*[1]*'
        $fromCaller = { 'x' }
        { 1 | Invoke-ParallelJob { $fromCaller } -Variable fromCaller } | Should -Throw -ErrorId 'ScriptBlockValueNotSupported,*'
    }

    It 'stops the call for a script block in -ArgumentList, also in a hashtable' {
        { 1 | Invoke-ParallelJob { param($f) & $f } -ArgumentList { 'x' } } | Should -Throw -ErrorId 'ScriptBlockValueNotSupported,*'
        { 1 | Invoke-ParallelJob { param($o) $o } -ArgumentList @{ Run = { 'x' } } } | Should -Throw -ExpectedMessage "*['Run']*"
    }

    It 'skips a script block input item with an error and runs the others, as ForEach-Object -Parallel does' {
        $pj = { 'x' }, 2 | Invoke-ParallelJob { "got $_" } -ErrorVariable pjErrors 2>$null
        $fe = { 'x' }, 2 | ForEach-Object -Parallel { "got $_" } -ErrorVariable feErrors 2>$null
        $pj | Should -Be 'got 2'
        $pj | Should -Be $fe
        $pjErrors.FullyQualifiedErrorId | Should -BeLike 'ScriptBlockValueNotSupported,*'
        $feErrors.FullyQualifiedErrorId | Should -BeLike 'ParallelPipedInputObjectCannotBeScriptBlock,*'
    }

    It 'skips an input item that holds a script block in a hashtable' {
        $pj = @{ a = 1 }, @{ b = { 'x' } } | Invoke-ParallelJob { $_.Keys } -ErrorVariable pjErrors 2>$null
        $pj | Should -Be 'a'
        $pjErrors.Exception.Message | Should -BeLike "*['b']*"
    }

    It 'skips a New-ParallelCall whose arguments hold a script block, and runs the other calls' {
        $calls = (New-ParallelCall { param($f) & $f } -ArgumentList { 'x' }), (New-ParallelCall { "ok $args" } -ArgumentList 1)
        $out = $calls | Invoke-ParallelJob -ErrorVariable callErrors 2>$null
        $out | Should -Be 'ok 1'
        $callErrors.FullyQualifiedErrorId | Should -BeLike 'ScriptBlockValueNotSupported,*'
    }

    It 'still runs script blocks piped without -ScriptBlock, each from its text' {
        { 'a' }, { 'b' } | Invoke-ParallelJob | Should -Be 'a', 'b'
    }

    It 'passes a script block''s text, to be made into a script block in the item' {
        $text = { "ran $_" }.ToString()
        1 | Invoke-ParallelJob { & ([scriptblock]::Create($using:text)) } | Should -Be 'ran 1'
    }
}
