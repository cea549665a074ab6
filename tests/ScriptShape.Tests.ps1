# The script block's own shape (named blocks, param(), [CmdletBinding()], $input, return, exit, break,
# continue) behaves per item as in ForEach-Object -Parallel, whose items each run their script as a script of
# their own. Each case runs through ForEach-Object -Parallel and through Invoke-ParallelJob three ways: one
# item per batch, many items in one batch, and -Sequential.
BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force

    function Invoke-EveryWay([scriptblock] $Script) {
        $items = 1..3
        [pscustomobject]@{
            ForEach    = @($items | ForEach-Object -ThrottleLimit 1 -Parallel $Script 2>&1 | ForEach-Object { "$_" })
            Single     = @($items | Invoke-ParallelJob -ThrottleLimit 2 -BatchSize 1 $Script 2>&1 | ForEach-Object { "$_" })
            Batched    = @($items | Invoke-ParallelJob -ThrottleLimit 1 -BatchSize 3 $Script 2>&1 | ForEach-Object { "$_" })
            Sequential = @($items | Invoke-ParallelJob -Sequential $Script 2>&1 | ForEach-Object { "$_" })
        }
    }

    function Assert-AsForEach([scriptblock] $Script, [string[]] $Expected) {
        $r = Invoke-EveryWay $Script
        $r.ForEach | Should -Be $Expected
        $r.Single | Should -Be $Expected
        $r.Batched | Should -Be $Expected
        $r.Sequential | Should -Be $Expected
    }
}

Describe 'Named blocks' {
    It 'runs begin, process and end once per item' {
        Assert-AsForEach { begin { 'b' } process { 'p' } end { 'e' } } 'b', 'p', 'e', 'b', 'p', 'e', 'b', 'p', 'e'
    }

    It 'shows the item as $_ in begin and end' {
        Assert-AsForEach { begin { "b$_" } end { "e$_" } } 'b1', 'e1', 'b2', 'e2', 'b3', 'e3'
    }

    It 'runs a begin block alone and an end block alone' {
        Assert-AsForEach { begin { "b$_" } } 'b1', 'b2', 'b3'
        Assert-AsForEach { end { "e$_" } } 'e1', 'e2', 'e3'
    }

    It 'gives the process block the item as $_ (ForEach-Object -Parallel gives it $null there)' {
        $r = Invoke-EveryWay { process { "p$_" } }
        $r.ForEach | Should -Be 'p', 'p', 'p'
        $r.Single | Should -Be 'p1', 'p2', 'p3'
        $r.Batched | Should -Be 'p1', 'p2', 'p3'
        $r.Sequential | Should -Be 'p1', 'p2', 'p3'
    }

    It 'keeps the output written before a throw, and skips end' {
        $r = Invoke-EveryWay { begin { 'b' } process { 'p'; throw "boom" } end { 'e' } }
        foreach ($way in $r.Single, $r.Batched, $r.Sequential) {
            $way.Count | Should -Be 9
            $way[0..1] | Should -Be 'b', 'p'
            $way[2] | Should -BeLike '*boom'
        }

        $r.ForEach | Should -Be 'b', 'p', 'boom', 'b', 'p', 'boom', 'b', 'p', 'boom'
    }

    It 'runs dynamicparam with the other blocks' {
        Assert-AsForEach { [CmdletBinding()] param() dynamicparam { $null } begin { 'b' } process { 'p' } end { 'e' } } 'b', 'p', 'e', 'b', 'p', 'e', 'b', 'p', 'e'
    }

    It 'does not share a begin block''s variables between items' {
        Assert-AsForEach { begin { if ($seen) { 'leak' }; $seen = 1 } end { 'ok' } } 'ok', 'ok', 'ok'
    }
}

Describe 'param() and [CmdletBinding()]' {
    It 'gives parameters their defaults' {
        Assert-AsForEach { param($a = 'd') "$a$_" } 'd1', 'd2', 'd3'
    }

    It 'binds -ArgumentList to param()' {
        1..2 | Invoke-ParallelJob { param($a, $b) "$a$b$_" } -ArgumentList 'x', 'y' | Should -Be 'xy1', 'xy2'
        1..2 | Invoke-ParallelJob -Sequential { param($a, $b) "$a$b$_" } -ArgumentList 'x', 'y' | Should -Be 'xy1', 'xy2'
    }

    It 'gives a [CmdletBinding()] script block $PSCmdlet' {
        Assert-AsForEach { [CmdletBinding()] param() $PSCmdlet.GetType().Name } 'PSScriptCmdlet', 'PSScriptCmdlet', 'PSScriptCmdlet'
    }

    It 'lets a [CmdletBinding()] script block write through $PSCmdlet' {
        Assert-AsForEach { [CmdletBinding()] param() $PSCmdlet.WriteObject('w') } 'w', 'w', 'w'
    }

    It 'binds -ArgumentList to an advanced script block''s parameters' {
        1..2 | Invoke-ParallelJob { [CmdletBinding()] param([Parameter(Mandatory)] [int] $n) $n * 2 } -ArgumentList 21 | Should -Be 42, 42
    }
}

Describe '$input, return, exit, break and continue' {
    It 'gives an empty $input' {
        Assert-AsForEach { "i$(@($input).Count)" } 'i0', 'i0', 'i0'
    }

    It 'ends the item at return, with its output' {
        Assert-AsForEach { "a$_"; return "r$_"; 'z' } 'a1', 'r1', 'a2', 'r2', 'a3', 'r3'
    }

    It 'ends the item at exit, keeping the output before it' {
        Assert-AsForEach { "a$_"; exit; 'z' } 'a1', 'a2', 'a3'
        Assert-AsForEach { "a$_"; exit 3; 'z' } 'a1', 'a2', 'a3'
    }

    It 'ends the item at an exit inside a function the item defines' {
        Assert-AsForEach { function Stop-Here { exit }; "a$_"; Stop-Here; 'z' } 'a1', 'a2', 'a3'
    }

    It 'ends the item at exit in a process block' {
        Assert-AsForEach { process { 'a'; exit; 'z' } } 'a', 'a', 'a'
    }

    It 'ends the item at a top-level break or continue, keeping the output before it' {
        Assert-AsForEach { "a$_"; break; 'z' } 'a1', 'a2', 'a3'
        Assert-AsForEach { "a$_"; continue; 'z' } 'a1', 'a2', 'a3'
    }

    It 'ends the item at a break inside ForEach-Object (not a loop)' {
        Assert-AsForEach { "a$_"; 1..3 | ForEach-Object { if ($_ -eq 2) { break }; "i$_" }; 'z' } 'a1', 'i1', 'a2', 'i1', 'a3', 'i1'
    }

    It 'breaks only the loop a break is in' {
        Assert-AsForEach { foreach ($i in 1, 2) { "l$i"; break }; "after$_" } 'l1', 'after1', 'l1', 'after2', 'l1', 'after3'
    }

    It 'continues only the loop a continue is in' {
        Assert-AsForEach { foreach ($i in 1..3) { if ($i -eq 2) { continue }; "l$i" }; "after$_" } 'l1', 'l3', 'after1', 'l1', 'l3', 'after2', 'l1', 'l3', 'after3'
    }

    It 'does not end the caller''s script at an item''s exit with -Sequential' {
        $after = & { 1..2 | Invoke-ParallelJob -Sequential { exit }; 'caller goes on' }
        $after | Should -Be 'caller goes on'
    }

    It 'does not break the caller''s loop at an item''s break with -Sequential' {
        $seen = foreach ($i in 1..2) { 1 | Invoke-ParallelJob -Sequential { break }; "loop $i" }
        $seen | Should -Be 'loop 1', 'loop 2'
    }

    It 'does not leave the caller''s labeled loop at an item''s labeled break with -Sequential' {
        $seen = foreach ($i in 1..2) { :outer foreach ($j in 1) { 1 | Invoke-ParallelJob -Sequential { 'in'; break outer }; "after $i" } }
        $seen | Should -Be 'after 1', 'after 2'
    }

    It 'ends only the item at an exit in a function passed with -Function' {
        function Stop-ThisItem { exit }
        $pj = & { 1..2 | Invoke-ParallelJob -Function Stop-ThisItem { Stop-ThisItem; 'z' }; 'caller goes on' }
        $sq = & { 1..2 | Invoke-ParallelJob -Sequential -Function Stop-ThisItem { Stop-ThisItem; 'z' }; 'caller goes on' }
        $pj | Should -Be 'caller goes on'
        $sq | Should -Be 'caller goes on'
    }

    It 'leaves an exit inside a nested ForEach-Object -Parallel to that call' {
        Import-Module $env:PARALLELJOBS_MODULE
        $pj = 1 | Invoke-ParallelJob { 1..2 | ForEach-Object -ThrottleLimit 1 -Parallel { "in$_"; exit; 'z' }; 'outer goes on' }
        $fe = 1 | ForEach-Object -Parallel { 1..2 | ForEach-Object -ThrottleLimit 1 -Parallel { "in$_"; exit; 'z' }; 'outer goes on' }
        $pj | Should -Be 'in1', 'in2', 'outer goes on'
        $pj | Should -Be $fe
    }

    It 'sees the item''s variables in the functions it defines and in those passed with -Function, and sets globals as there' {
        function Get-Doubled { $x * 2 }
        $script = { $x = $_; function Get-Tripled { $x * 3 }; $global:seen = $x; "$(Get-Doubled) $(Get-Tripled) $global:seen" }
        $fe = 1..3 | ForEach-Object -ThrottleLimit 1 -Parallel { $x = $_; function Get-Doubled { $x * 2 }; function Get-Tripled { $x * 3 }; $global:seen = $x; "$(Get-Doubled) $(Get-Tripled) $global:seen" }
        $pj = 1..3 | Invoke-ParallelJob -ThrottleLimit 2 -BatchSize 1 -Function Get-Doubled $script
        $pj | Should -Be '2 3 1', '4 6 2', '6 9 3'
        $pj | Should -Be $fe
    }
}
