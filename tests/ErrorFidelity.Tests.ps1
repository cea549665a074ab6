# An item's errors stay its own: the same exception, error id, category and target object as
# ForEach-Object -Parallel gives for the same script block; the item travels as an added property.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    $missing = Join-Path ([IO.Path]::GetTempPath()) "pj-missing-$([guid]::NewGuid())"
}

AfterAll {
    Clear-ParallelJobPool
}

Describe 'Errors keep what the item made' {
    It 'keeps a Write-Error''s id, category and target object, as ForEach-Object -Parallel does' {
        $script = { Write-Error -ErrorId MyId -Message "m $_" -TargetObject 55 -Category InvalidData }
        $reference = 1 | ForEach-Object -Parallel $script 2>&1
        $actual = 1 | Invoke-ParallelJob $script 2>&1

        $actual.FullyQualifiedErrorId | Should -Be $reference.FullyQualifiedErrorId
        $actual.FullyQualifiedErrorId | Should -Be 'MyId'
        $actual.TargetObject | Should -Be 55
        $actual.CategoryInfo.Category | Should -Be $reference.CategoryInfo.Category
        $actual.Exception.GetType() | Should -Be $reference.Exception.GetType()
        $actual.Exception.Message | Should -Be 'm 1'
    }

    It 'keeps a cmdlet''s own error id and target, as ForEach-Object -Parallel does' {
        $script = { Get-Item -LiteralPath $using:missing }
        $reference = 1 | ForEach-Object -Parallel $script 2>&1
        $actual = 1 | Invoke-ParallelJob $script 2>&1

        $actual.FullyQualifiedErrorId | Should -Be $reference.FullyQualifiedErrorId
        $actual.FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*GetItemCommand'
        $actual.TargetObject | Should -Be $reference.TargetObject
        $actual.Exception | Should -BeOfType ([System.Management.Automation.ItemNotFoundException])
    }

    It 'lets catch select the item''s own exception type with -ErrorAction Stop' {
        $caught = try {
            1..3 | Invoke-ParallelJob -ErrorAction Stop { if ($_ -eq 2) { throw [System.IO.IOException]::new("disk $_") }; $_ } | Out-Null
            'not caught'
        }
        catch [System.IO.IOException] {
            "IOException: $($_.Exception.Message)"
        }
        catch {
            "other: $($_.Exception.GetType().FullName)"
        }

        $caught | Should -Be 'IOException: disk 2'
    }

    It 'adds the item as ParallelJobItem and names it in the message the error view shows' {
        $errs = 1..4 | Invoke-ParallelJob { if ($_ % 2 -eq 0) { Write-Error "even $_" -TargetObject "t$_" } } 2>&1

        $errs.Count | Should -Be 2
        $errs.TargetObject | Should -Be 't2', 't4'
        $errs.ParallelJobItem.Index | Should -Be 1, 3
        $errs.ParallelJobItem.Input | Should -Be 2, 4
        $errs[0].ErrorDetails.Message | Should -Be 'Item [1] 2: even 2'
        $errs[0].Exception.Message | Should -Be 'even 2'
        ($errs[0] | Out-String) | Should -BeLike '*Item `[1`] 2: even 2*'
    }

    It 'keeps the item''s own target in -AsResult''s Errors too' {
        $result = 1 | Invoke-ParallelJob -AsResult { Write-Error -ErrorId Soft 'soft' -TargetObject 'mine' }

        $result.Errors[0].TargetObject | Should -Be 'mine'
        $result.Errors[0].FullyQualifiedErrorId | Should -Be 'Soft'
        $result.Errors[0].ParallelJobItem.Index | Should -Be 0
    }
}
