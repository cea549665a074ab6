# Messages that say what to do: a function of the caller's session that an item cannot see gets a hint that
# names -Function, and errors name their item by a short, readable form of its input.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
}

AfterAll {
    Clear-ParallelJobPool
}

Describe 'A function the items do not see' {
    BeforeAll {
        function Get-PjMessageThing { "thing $args" }
    }

    It 'keeps PowerShell''s error, as ForEach-Object -Parallel gives it, and adds a hint that names -Function' {
        $reference = @(1..2 | ForEach-Object -Parallel { Get-PjMessageThing $_ } 2>&1)
        $actual = @(1..2 | Invoke-ParallelJob { Get-PjMessageThing $_ } 2>&1)

        $actual.Count | Should -Be 2
        $actual[0].FullyQualifiedErrorId | Should -Be $reference[0].FullyQualifiedErrorId
        $actual[0].FullyQualifiedErrorId | Should -Be 'CommandNotFoundException'
        $actual[0].Exception.GetType() | Should -Be $reference[0].Exception.GetType()
        $actual[0].Exception.Message | Should -Be $reference[0].Exception.Message
        $actual[0].TargetObject | Should -Be 'Get-PjMessageThing'
        $actual[0].ErrorDetails.Message | Should -BeLike "Item ``[0``] 1: *not recognized*which items do not see: add -Function Get-PjMessageThing."
        $actual[0].ErrorDetails.RecommendedAction | Should -BeLike '*-Function Get-PjMessageThing*'
        ($actual[1] | Out-String) | Should -BeLike '*-Function Get-PjMessageThing*'
    }

    It 'runs once the function is passed with -Function, as the hint says' {
        1..2 | Invoke-ParallelJob -Function Get-PjMessageThing { Get-PjMessageThing $_ } | Should -Be 'thing 1', 'thing 2'
    }

    It 'gives no hint for a command that is nowhere' {
        $actual = @(1 | Invoke-ParallelJob { Get-PjNoSuchCommand } 2>&1)

        $actual[0].FullyQualifiedErrorId | Should -Be 'CommandNotFoundException'
        $actual[0].ErrorDetails.Message | Should -Not -BeLike '*-Function*'
        $actual[0].ErrorDetails.RecommendedAction | Should -BeNullOrEmpty
    }

    It 'gives the hint in -AsResult''s Errors and through a -AsJob job' {
        $result = 1 | Invoke-ParallelJob -AsResult { Get-PjMessageThing }
        $result.Errors[0].ErrorDetails.Message | Should -BeLike '*-Function Get-PjMessageThing*'

        $job = 1..2 | Invoke-ParallelJob -AsJob { Start-Sleep -Milliseconds 200; Get-PjMessageThing }
        try {
            $null = $job | Wait-Job -Timeout 30
            $errors = @($job.Error)
            $errors.Count | Should -Be 2
            $errors[0].ErrorDetails.Message | Should -BeLike '*-Function Get-PjMessageThing*'
            $errors[0].FullyQualifiedErrorId | Should -Be 'CommandNotFoundException'
        }
        finally {
            $job | Remove-Job -Force
        }
    }
}

Describe 'Item labels' {
    It 'names a hashtable by its first keys, not its type' {
        $item = [ordered]@{ Name = 'a'; Id = 1 }
        $actual = @($item | Invoke-ParallelJob { Write-Error 'bad' } 2>&1)

        $actual[0].ErrorDetails.Message | Should -Be 'Item [0] @{Name=a; Id=1}: bad'
        $actual[0].ParallelJobItem.Input.Name | Should -Be 'a'
    }

    It 'names a hashtable with many keys by the first three' {
        $item = [ordered]@{ Name = 'a'; Id = 1; Size = 2; Owner = 'me' }
        $actual = @($item | Invoke-ParallelJob { Write-Error 'bad' } 2>&1)

        $actual[0].ErrorDetails.Message | Should -Be 'Item [0] @{Name=a; Id=1; Size=2; …}: bad'
    }

    It 'names a file by its name' {
        $file = Get-Item -LiteralPath $PSCommandPath
        $actual = @($file | Invoke-ParallelJob { Write-Error 'bad' } 2>&1)

        $actual[0].ErrorDetails.Message | Should -Be "Item [0] $($file.Name): bad"
    }

    It 'keeps the start of a long input and marks the cut' {
        $long = (1..10000) -join ' '
        $actual = @($long | Invoke-ParallelJob { Write-Error 'bad' } 2>&1)

        $actual[0].ErrorDetails.Message | Should -BeLike 'Item `[0`] 1 2 3 4 5 6 *…: bad'
        $actual[0].ErrorDetails.Message | Should -Not -BeLike '*10000*'
        $actual[0].ParallelJobItem.Input | Should -Be $long -Because 'the item itself stays whole'
    }
}
