# Bad parameter values are refused before any item runs, with an error that names the parameter.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    . (Join-Path $PSScriptRoot 'helpers/TestHelpers.ps1')
}

Describe 'Invoke-ParallelJob bad parameters' {
    Context 'Bad parameter values' {
        BeforeAll {
            $marking = { $null = New-Item -ItemType File -Path (Join-Path $using:folder "$_.$([guid]::NewGuid().ToString('n'))"); $_ }
        }

        It 'refuses <Name> <Value> with <ErrorId> and runs nothing' -TestCases @(
            @{ Name = 'ItemTimeoutSeconds'; Value = 0; ErrorId = 'ParameterArgumentValidationError' }
            @{ Name = 'ItemTimeoutSeconds'; Value = -1; ErrorId = 'ParameterArgumentValidationError' }
            @{ Name = 'TimeoutSeconds'; Value = 0; ErrorId = 'ParameterArgumentValidationError' }
            @{ Name = 'RetryCount'; Value = -1; ErrorId = 'ParameterArgumentValidationError' }
            @{ Name = 'MaxFailures'; Value = '0'; ErrorId = 'InvalidMaxFailures' }
            @{ Name = 'MaxFailures'; Value = 'abc'; ErrorId = 'ParameterArgumentValidationError' }
            @{ Name = 'MaxFailures'; Value = '150%'; ErrorId = 'InvalidMaxFailures' }
        ) {
            $folder = New-TestFolder
            $parameters = @{ $Name = $Value }
            $thrown = { 1..3 | Invoke-ParallelJob @parameters $marking } | Should -Throw -ErrorId "$ErrorId,*" -PassThru

            $thrown.Exception.Message | Should -BeLike "*$Name*" -Because 'the message should name the parameter'
            @(Get-RanName $folder) | Should -HaveCount 0
        }
    }
}
