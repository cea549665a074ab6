# Batches of quick items share one pipeline where that is safe; these tests pin down that items still
# behave as if each ran alone: no state crosses from one item to the next, and every result and error
# stays with its own item.
BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force

    # One worker and big batches, so consecutive items really share a batch.
    function Invoke-Batched([scriptblock] $Script, [object[]] $Items = (1..6), [hashtable] $Extra = @{}) {
        $Items | Invoke-ParallelJob -ThrottleLimit 1 -BatchSize $Items.Count @Extra $Script
    }
}

Describe 'Items in one batch stay isolated' {
    Context 'plain variables' {
        It 'does not show a variable assigned by one item to the next' {
            Invoke-Batched { if ($seen) { 'leak' }; $seen = $_; $_ } | Should -Be (1..6)
        }

        It 'does not carry a foreach loop variable over' {
            Invoke-Batched { if ($k) { 'leak' }; foreach ($k in 1..2) { }; $_ } | Should -Be (1..6)
        }

        It 'does not carry $Matches over' {
            Invoke-Batched { if ($Matches) { 'leak' }; $null = "x$_" -match 'x(\d)'; $Matches[1] } | Should -Be ('1', '2', '3', '4', '5', '6')
        }

        It 'does not carry $Matches over from switch -Regex or a -match inside ForEach-Object' {
            Invoke-Batched { if ($Matches) { 'leak' }; switch -Regex ("x$_") { 'x(\d)' { $Matches[1] } } } | Should -Be ('1', '2', '3', '4', '5', '6')
            Invoke-Batched { if ($Matches) { 'leak' }; "x$_" | ForEach-Object { $null = $_ -cmatch 'x(\d)' }; $Matches[1] } | Should -Be ('1', '2', '3', '4', '5', '6')
        }

        It 'does not carry a ++ counter over' {
            Invoke-Batched { $n++; $n } | Should -Be (1, 1, 1, 1, 1, 1)
        }
    }

    Context 'state other than plain variables' {
        It 'does not show a function defined by one item to the next' {
            Invoke-Batched { if (Get-Command f -CommandType Function -ErrorAction Ignore) { 'leak' }; function f { 1 }; $_ } | Should -Be (1..6)
        }

        It 'does not show a variable made with Set-Variable' {
            Invoke-Batched { if ($made) { 'leak' }; Set-Variable -Name made -Value 1; $_ } | Should -Be (1..6)
        }

        It 'does not show an -OutVariable' {
            Invoke-Batched { if ($ov1) { 'leak' }; $null = Write-Output 1 -OutVariable ov1; $_ } | Should -Be (1..6)
        }

        It 'does not show a typed variable' {
            Invoke-Batched { if ($null -ne $typed) { 'leak' }; [int]$typed = $_; $_ } | Should -Be (1..6)
        }

        It 'does not show what a dot-sourced block defines' {
            Invoke-Batched { if ($dotted) { 'leak' }; . { $dotted = 1 }; $_ } | Should -Be (1..6)
        }
    }

    Context 'parameters and globals are not hidden' {
        It 'keeps a -Variable value visible when the item assigns a variable of its own' {
            Invoke-Batched { $sum = $base + $_; $sum } -Extra @{ Variable = @{ base = 10 } } | Should -Be (11..16)
        }

        It 'keeps a param() value when the item reassigns it' {
            Invoke-Batched { param($step) $step = $step + $_; $step } -Extra @{ ArgumentList = 100 } | Should -Be (101..106)
        }
    }
}

Describe 'Results and errors stay with their item in a batch' {
    It 'keeps the output written before a throw, and the items after it' {
        $out = Invoke-Batched { "pre$_"; if ($_ -eq 2) { throw 'boom' }; "post$_" } -Items (1..3) 2>$null
        $out | Should -Be @('pre1', 'post1', 'pre2', 'pre3', 'post3')
    }

    It 'names the right item in each error' {
        $null = 1..6 | Invoke-ParallelJob -ThrottleLimit 1 -BatchSize 6 { if ($_ % 2) { Write-Error "odd $_" }; $_ } -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.ParallelJobItem.Index | Should -Be @(0, 2, 4)
        $errs.ParallelJobItem.Input | Should -Be @(1, 3, 5)
    }

    It 'keeps an array written as one object whole' {
        $out = Invoke-Batched { , @($_, $_) } -Items (1..3)
        $out.Count | Should -Be 3
        $out[1] | Should -Be @(2, 2)
    }

    It 'keeps $null outputs' {
        @(Invoke-Batched { $null } -Items (1..3)).Count | Should -Be 3
    }

    It 'ends only the item on exit, break or continue outside a loop' {
        Invoke-Batched { if ($_ -eq 2) { exit }; $_ } -Items (1..3) | Should -Be @(1, 3)
        Invoke-Batched { if ($_ -eq 2) { break }; $_ } -Items (1..3) | Should -Be @(1, 3)
        Invoke-Batched { if ($_ -eq 2) { continue }; $_ } -Items (1..3) | Should -Be @(1, 3)
    }

    It 'ends only the item on return' {
        Invoke-Batched { if ($_ -eq 2) { return 'early' }; $_ } -Items (1..3) | Should -Be @(1, 'early', 3)
    }

    It 'keeps the output of a parallel or -Sequential call made inside a batched item with that item' {
        $module = $env:PARALLELJOBS_MODULE
        $nested = Invoke-Batched { Import-Module $using:module; $o = $_; 1..3 | Invoke-ParallelJob -ThrottleLimit 2 { $_ * 10 } | ForEach-Object { "$o-$_" } } -Items (1..8)
        $nested | Should -Be @(foreach ($o in 1..8) { foreach ($i in 1..3) { "$o-$($i * 10)" } })
        $inline = Invoke-Batched { Import-Module $using:module; $o = $_; 1..2 | Invoke-ParallelJob -Sequential { $_ } | ForEach-Object { "${o}:$_" } } -Items (1..8)
        $inline | Should -Be @(foreach ($o in 1..8) { "${o}:1"; "${o}:2" })
    }

    It 'gives 20,000 quick items exactly the sequential result under automatic batching' {
        $parallel = 1..20000 | Invoke-ParallelJob { $_ * 3 + 1 }
        $sequential = 1..20000 | ForEach-Object { $_ * 3 + 1 }
        ($parallel -join ',') | Should -BeExactly ($sequential -join ',')
    }
}
