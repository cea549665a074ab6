# Tab completion of Invoke-ParallelJob's -Module (module names) and -Function (the caller's functions), as
# TabExpansion2 gives it to the console. Import-Module's own -Name completion is the reference for modules.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force

    # The completion texts TabExpansion2 offers at the end of $Line.
    function Get-Completion {
        param([string] $Line)
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches)
    }

    # A module under TestDrive, on the module path but not loaded.
    $moduleRoot = Join-Path $TestDrive 'modules'
    $moduleDir = New-Item -ItemType Directory -Path (Join-Path $moduleRoot 'PjCompletionOnPath')
    Set-Content -LiteralPath (Join-Path $moduleDir 'PjCompletionOnPath.psm1') -Value 'function Get-PjCompletionValue { 1 }'
    $savedModulePath = $env:PSModulePath
    $env:PSModulePath = $moduleRoot + [System.IO.Path]::PathSeparator + $env:PSModulePath
}

AfterAll {
    $env:PSModulePath = $savedModulePath
    Remove-Module PjCompletionLoaded -ErrorAction Ignore
}

Describe 'Invoke-ParallelJob tab completion' {
    Context '-Module' {
        It 'offers the modules on the module path that match, as Import-Module does' {
            $offered = Get-Completion 'Invoke-ParallelJob -Module Microsoft.PowerShell.'
            $reference = Get-Completion 'Import-Module Microsoft.PowerShell.' | Where-Object ResultType -eq ParameterValue

            $offered.CompletionText | Should -Contain 'Microsoft.PowerShell.Utility'
            $offered.CompletionText | Should -Contain 'Microsoft.PowerShell.Management'
            $reference | Should -Not -BeNullOrEmpty
            $reference.CompletionText | ForEach-Object { $offered.CompletionText | Should -Contain $_ }
            $offered | ForEach-Object { $_.ResultType | Should -Be 'ParameterValue' }
        }

        It 'offers a module on the module path that is not loaded' {
            Get-Module PjCompletionOnPath | Should -BeNullOrEmpty

            (Get-Completion 'Invoke-ParallelJob -Module PjCompletionOn').CompletionText | Should -Be 'PjCompletionOnPath'
        }

        It 'offers a loaded module that is on no module path, ignoring case' {
            New-Module -Name PjCompletionLoaded -ScriptBlock { function Get-PjLoaded { 1 } } | Import-Module

            (Get-Completion 'Invoke-ParallelJob -Module pjcompletionlo').CompletionText | Should -Be 'PjCompletionLoaded'
        }

        It 'completes the second name of a list, and keeps the quote the user opened' {
            (Get-Completion 'Invoke-ParallelJob -Module Microsoft.PowerShell.Utility, PjCompletionOn').CompletionText | Should -Be 'PjCompletionOnPath'
            (Get-Completion "Invoke-ParallelJob -Module 'PjCompletionOn").CompletionText | Should -Be "'PjCompletionOnPath'"
        }

        It 'still completes a path when no module name matches' {
            $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'pathcase')
            $null = New-Item -ItemType File -Path (Join-Path $folder 'PjLocal.psd1')
            Push-Location $folder
            try {
                $offered = Get-Completion 'Invoke-ParallelJob -Module ./PjLoc'
            }
            finally {
                Pop-Location
            }

            $offered.ListItemText | Should -Be 'PjLocal.psd1'
        }

        It 'gives the completed module to a run that imports it' {
            $name = (Get-Completion 'Invoke-ParallelJob -Module PjCompletionOn').CompletionText

            1 | Invoke-ParallelJob -Module $name -UseNewRunspace { Get-PjCompletionValue } | Should -Be 1
        }
    }

    Context '-Function' {
        It 'offers the functions of the caller''s session that match, and no other command' {
            function Test-PjCompletionFirst { 1 }
            function Test-PjCompletionSecond { 2 }
            Set-Alias -Name Test-PjCompletionAlias -Value Test-PjCompletionFirst

            $offered = Get-Completion 'Invoke-ParallelJob -Function Test-PjCompletion'

            $offered.CompletionText | Should -Be @('Test-PjCompletionFirst', 'Test-PjCompletionSecond')
            $offered | ForEach-Object { $_.ResultType | Should -Be 'ParameterValue' }
        }

        It 'offers functions a module exported, ignoring case' {
            New-Module -Name PjCompletionLoaded -ScriptBlock { function Get-PjLoaded { 1 } } | Import-Module -Force

            (Get-Completion 'Invoke-ParallelJob -Function get-pjload').CompletionText | Should -Be 'Get-PjLoaded'
        }

        It 'quotes a function name that needs it' {
            $null = New-Item -Path 'function:Test-PjCompletion odd' -Value { 1 }
            try {
                (Get-Completion 'Invoke-ParallelJob -Function Test-PjCompletion').CompletionText | Should -Contain "'Test-PjCompletion odd'"
            }
            finally {
                Remove-Item -LiteralPath 'function:Test-PjCompletion odd'
            }
        }

        It 'offers nothing, not file names, when no function matches' {
            $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'nofunction')
            $null = New-Item -ItemType File -Path (Join-Path $folder 'PjFileOnly.txt')
            Push-Location $folder
            try {
                $offered = Get-Completion 'Invoke-ParallelJob -Function PjFileOn'
            }
            finally {
                Pop-Location
            }

            $offered | Should -BeNullOrEmpty
        }

        It 'gives the completed function to the items' {
            function Test-PjCompletionSquare { param($n) $n * $n }
            $name = (Get-Completion 'Invoke-ParallelJob -Function Test-PjCompletionSq').CompletionText

            1..3 | Invoke-ParallelJob -Function $name { Test-PjCompletionSquare $_ } | Should -Be @(1, 4, 9)
        }
    }
}
